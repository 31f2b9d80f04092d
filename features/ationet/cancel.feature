@server @needs-control @needs-virtual-time
Feature: ATIONet Cancel

  Every valid Cancel gets 200; the state at arrival picks the code (spec 3.4, 4.1, D9, D10).

  @ATN-S-014
  Scenario: A Cancel in state 1 succeeds and the transaction passes 12 and 15 to 13
    When the MPA sends a MobilePayments request
    And the MPA cancels the transaction
    Then the cancel answer is "00000"
    And the transaction is in state 12 "Cancelation Requested"
    And the transaction passes through states 1, 12, 15, 13
    And the transaction is in state 13 "Canceled By User"
    And the site received exactly 1 Deauthorize command

  @ATN-S-014
  Scenario Outline: A Cancel in a cancellable state succeeds
    When the MPA sends a MobilePayments request
    And the clock runs until the transaction is in state <state>
    And the MPA cancels the transaction
    Then the cancel answer is "00000"
    And the transaction is in state 12 "Cancelation Requested"
    And the transaction reaches state 13 "Canceled By User"
    And the transaction never entered states 9, 10

    Examples:
      | id                     | state |
      | pump reserved          | 5     |
      | preauthorized          | 2     |
      | authorization sent     | 4     |
      | fuel point authorized  | 7     |

  @ATN-S-015
  Scenario: A second Cancel while the first is in progress gets 04008
    When the MPA sends a MobilePayments request
    And the MPA cancels the transaction
    Then the cancel answer is "00000"
    When the MPA cancels the transaction
    Then the cancel answer is "04008"
    And the transaction is in state 12 "Cancelation Requested"
    When the clock runs until the transaction is in state 15
    And the MPA cancels the transaction
    Then the cancel answer is "04008"
    And the transaction reaches state 13 "Canceled By User"

  @ATN-S-015
  Scenario: A Cancel after the user cancel completed gets 04001
    When the MPA sends a MobilePayments request
    And the MPA cancels the transaction
    Then the transaction reaches state 13 "Canceled By User"
    When the MPA cancels the transaction
    Then the cancel answer is "04001"
    And the transaction is in state 13 "Canceled By User"

  @ATN-S-015
  Scenario: A Cancel while fueling gets 04003 and changes nothing
    When the MPA sends a MobilePayments request
    And the clock runs until the transaction is in state 9
    And the MPA cancels the transaction
    Then the cancel answer is "04003"
    And the transaction is in state 9 "Fueling"
    And the transaction reaches state 10 "Complete"
    And the site received exactly 0 Deauthorize commands

  @ATN-S-015
  Scenario: A Cancel after the nozzle is lifted gets 04009
    Given the driver never lifts the nozzle
    When the MPA sends a MobilePayments request
    And the clock runs until the transaction is in state 7
    And the driver lifts the nozzle 3 of pump 1
    And 500 milliseconds pass
    And the MPA cancels the transaction
    Then the cancel answer is "04009"
    And the transaction is in state 7 "Fuel Point Authorized"

  @ATN-S-015
  Scenario: A Cancel after completion gets 04004
    When the MPA sends a MobilePayments request
    Then the transaction reaches state 10 "Complete"
    When the MPA cancels the transaction
    Then the cancel answer is "04004"
    And the transaction is in state 10 "Complete"

  @ATN-S-015
  Scenario: A Cancel for an unknown id gets 04007
    When the MPA cancels the transaction "no-such-transaction"
    Then the cancel answer is "04007"
    And the response has the keys "transactionId, isSuccessCanceled, responseCode, responseMessage" in order
    And the response header "content-type" is "application/json; charset=utf-8"
