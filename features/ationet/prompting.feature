@server @needs-control @needs-virtual-time
Feature: ATIONet prompting extension

  Off by default (D8). When on, a card that needs prompts waits in 25 for the answers
  (spec 3.5, P1-P5).

  @ATN-S-019
  Scenario: With prompting off, no prompting state appears and the prompts endpoint is 404
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000094" |
    And the clock runs until idle
    Then no state id of 20 or more appears
    When the MPA answers the prompts with:
      | Odometer | 152 |
    Then the response is a 404 problem "not_found"

  @ATN-S-020 @optional
  Scenario: A valid answer gets {} and the transaction goes on through 27 and 28
    Given prompting is enabled
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000094" |
    Then the transaction reaches state 25 "Prompting Needed"
    And the transaction's "paymentProcessorMessage" is "{\"PromptOdometer\":\"true\",\"MinOdometer\":\"150\",\"MaxOdometer\":\"1000\"}"
    When the MPA answers the prompts with:
      | Odometer | 152 |
    Then the response status is 200
    And the response body is exactly:
      """
      {}
      """
    And the transaction is in state 27 "Prompting Sent"
    And the transaction passes through states 1, 5, 25, 27, 28, 4, 7, 9, 10
    And the transaction's "odometer" is 152

  @ATN-S-020 @optional
  Scenario: An unanswered state 25 reaches 19 at 300 s
    Given prompting is enabled
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000094" |
    And the clock runs until the transaction is in state 25
    And 299 seconds pass
    Then the transaction is in state 25 "Prompting Needed"
    When 2 seconds pass
    Then the transaction is in state 19 "Cancelled By MPPA"

  @ATN-S-020 @optional
  Scenario: An odometer out of range is refused by the PFEP: 24
    Given prompting is enabled
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000094" |
    And the clock runs until the transaction is in state 25
    And the MPA answers the prompts with:
      | Odometer | 5 |
    Then the response status is 200
    And the transaction reaches state 24 "Transaction Refused"
    When the MPA cancels the transaction
    Then the cancel answer is "-10000"

  @ATN-S-020 @optional
  Scenario Outline: A missing or extra answer gets 400 naming it
    Given prompting is enabled
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000094" |
    And the clock runs until the transaction is in state 25
    And the MPA answers the prompts with:
      | <name> | <answer> |
    Then the response is a 400 problem naming "customerData.<named>"
    And the transaction is in state 25 "Prompting Needed"

    Examples:
      | id            | name     | answer | named    |
      | extra answer  | DriverId | 12     | DriverId |
      | not digits    | Odometer | 15x    | Odometer |

  @ATN-S-020 @optional
  Scenario: Prompt answers outside state 25 get 409 naming idTransaction
    Given prompting is enabled
    When the MPA sends a MobilePayments request
    And the MPA answers the prompts with:
      | Odometer | 152 |
    Then the response is a 409 problem "invalid_state" naming "idTransaction"

  @ATN-S-020 @optional
  Scenario: A Cancel in state 25 succeeds
    Given prompting is enabled
    When the MPA sends a MobilePayments request with:
      | field        | value           |
      | primaryTrack | "0000000000094" |
    And the clock runs until the transaction is in state 25
    And the MPA cancels the transaction
    Then the cancel answer is "00000"
    And the transaction reaches state 13 "Canceled By User"
