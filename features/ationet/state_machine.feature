@server @needs-control @needs-virtual-time
Feature: ATIONet transaction state machine

  Only the transitions of spec 4.2 occur; the clock is virtual, so timers take no wall time.

  @ATN-S-012 @ATN-S-011
  Scenario: The MobilePayments happy path runs 1, 5, 2, 4, 7, 9, 10
    When the MPA sends a MobilePayments request
    Then the transaction passes through states 1, 5, 2, 4, 7, 9, 10
    And the transaction is in state 10 "Complete"
    And the site received exactly 1 Reserve command
    And the site received exactly 1 Authorize command
    And the site received exactly 0 Deauthorize commands

  @ATN-S-002 @ATN-S-011
  Scenario: A PreAuthorizedPayments transaction skips the PFEP states
    When the MPA sends a PreAuthorizedPayments request
    Then the transaction passes through states 1, 5, 4, 7, 9, 10
    And the transaction never entered states 2, 3, 11, 24, 25, 27, 28
    And the transaction's "paymentMethod" is "ExternalPreAuthorized"
    And the transaction's "primaryTrack" is null
    And the transaction's "paymentProcessorReferenceId" is "854712"

  @ATN-S-002
  Scenario: A PreAuthorizedPayments transaction ignores the PFEP's card table
    When the MPA sends a PreAuthorizedPayments request with:
      | field        | value           |
      | primaryTrack | "0000000000091" |
    Then the transaction reaches state 10 "Complete"
    And the transaction never entered states 2, 3, 11, 24, 25, 27, 28

  @ATN-S-011
  Scenario: A declined card ends in 3 and the pump is released
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000091" |
    Then the transaction passes through states 1, 5, 3
    And the transaction is in state 3 "Preauthorization Rejected"
    And the site received exactly 1 Deauthorize command
    When the MPA cancels the transaction
    Then the cancel answer is "-10000"
    And the transaction is in state 3 "Preauthorization Rejected"

  @ATN-S-011
  Scenario: A PFEP that never answers ends in 3 after T_pfep
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000095" |
    And the clock runs until the transaction is in state 5
    And 29 seconds pass
    Then the transaction is in state 5 "Site System Accept Pump Reserve"
    When 2 seconds pass
    Then the transaction is in state 3 "Preauthorization Rejected"

  @ATN-S-011
  Scenario: A rejected completion ends in 11 with the figures kept
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000093" |
    Then the transaction passes through states 1, 5, 2, 4, 7, 9, 11
    And the transaction is in state 11 "Complete Failed"
    And the transaction's "dispatchedQuantity" is 9
    When the MPA cancels the transaction
    Then the cancel answer is "04004"

  @ATN-S-016 @ATN-S-011
  Scenario: A partial grant caps the preset and the dispense
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | amount       | 30              |
      | primaryTrack | "0000000000092" |
    Then the transaction reaches state 10 "Complete"
    And the transaction's "requestedAmount" is 30
    And the transaction's "authorizedAmount" is 20
    And the transaction's "dispatchedQuantity" is 20
    And nothing dispensed exceeds the authorized amount, which does not exceed the requested amount

  @ATN-S-011
  Scenario: A site refusing the authorization ends in 8
    Given the site refuses fuel point authorizations
    When the MPA sends a MobilePayments request
    Then the transaction passes through states 1, 5, 2, 4, 8
    And the transaction is in state 8 "Canceled By Fuel Point"
    When the MPA cancels the transaction
    Then the cancel answer is "04001"

  @ATN-S-011
  Scenario: A site failing the authorization ends in 18
    Given the site fails fuel point authorizations
    When the MPA sends a MobilePayments request
    Then the transaction passes through states 1, 5, 2, 4, 18
    And the transaction is in state 18 "Site System Generic error"
    When the MPA cancels the transaction
    Then the cancel answer is "02001"

  @ATN-S-011
  Scenario: A site that never replies ends in 18 after T_reply
    Given the site never replies
    When the MPA sends a MobilePayments request
    And 29 seconds pass
    Then the transaction is in state 1 "Created"
    When 2 seconds pass
    Then the transaction is in state 18 "Site System Generic error"
    And the site received exactly 1 Reserve command

  @ATN-S-011
  Scenario: A queue fault gives 17 after a 200
    Given the create queue is faulty
    When the MPA sends a MobilePayments request
    Then the response status is 200
    And the transaction id equals the potencyKeyId
    And the transaction is in state 17 "Unknown error when trying to connect with session"
    When the MPA cancels the transaction
    Then the cancel answer is "04011"

  @ATN-S-022
  Scenario: A site without a session gives 16 after a 200
    Given the site session is down
    When the MPA sends a MobilePayments request
    Then the response status is 200
    And the transaction reaches state 16 "Session not available"
    And the site received exactly 0 Reserve commands
    When the MPA cancels the transaction
    Then the cancel answer is "04010"

  @ATN-S-022
  Scenario: A session that goes down before the step gives 16
    When the site session goes down
    And the MPA sends a MobilePayments request
    Then the response status is 200
    And the transaction reaches state 16 "Session not available"

  @ATN-S-022
  Scenario: An unknown site gives 16 after a 200
    When the MPA sends a MobilePayments request with:
      | field    | value  |
      | siteCode | "9999" |
    Then the response status is 200
    And the transaction reaches state 16 "Session not available"
    When the MPA cancels the transaction
    Then the cancel answer is "04010"

  @ATN-S-011
  Scenario: A nozzle event after completion leaves the state unchanged
    When the MPA sends a MobilePayments request
    Then the transaction reaches state 10 "Complete"
    When the driver lifts the nozzle 3 of pump 1
    And the clock runs until idle
    Then the transaction is in state 10 "Complete"
    And the transaction passes through states 1, 5, 2, 4, 7, 9, 10
