@server @needs-control
Feature: TECS abort (0017)

  A 0017 sent while the terminal waits for a card ends that request with 2001 and is itself
  answered 0000; in any other state it gets 2004 (D13).

  @TEC-S-015
  Scenario: an abort while the terminal waits for a card
    Given the customer at terminal "88091105" never presents a card
    When the ECR starts a sale "S1" of "500"
    And the ECR sends an abort "A1"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value   |
      | transaction_type | 17      |
      | transaction_id   | <id A1> |
    When the pending request is answered
    Then the response is 200 "2001"
    And the response fields are:
      | field          | value   |
      | response_text  | ABORTED |
      | transaction_id | <id S1> |
    And the record "S1" has status "aborted"

  @TEC-S-015
  Scenario: an abort with nothing running is 2004
    When the ECR sends an abort "A1"
    Then the response is 200 "2004"
    And the response fields are:
      | field         | value            |
      | response_text | NOTHING TO ABORT |

  @TEC-S-015 @needs-virtual-time
  Scenario: an abort while the acquirer authorises is 2004 and the sale goes on
    Given the acquirer never answers the next authorisation on terminal "88091105"
    When the ECR starts a sale "S1" of "500"
    And 10 seconds pass
    And the ECR sends an abort "A1"
    Then the response is 200 "2004"
    When the pending request is answered
    Then the response is 200 "1091"

  @TEC-S-015 @TEC-S-005
  Scenario: a customer cancel at the reader ends the sale 2001
    Given the customer at terminal "88091105" never presents a card
    When the ECR starts a sale "S1" of "500"
    And the customer at terminal "88091105" cancels at the reader
    And the pending request is answered
    Then the response is 200 "2001"
