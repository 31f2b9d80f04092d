@server
Feature: TECS idempotency (D7)

  A same-content repeat of a used transaction_id returns the stored response without a second
  authorization; different content under the same id is 400 3002.

  @TEC-S-017 @needs-control
  Scenario: an identical repeat returns the stored response
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends the request "S1" again
    And the ECR sends the request "S1" again
    Then every answer to "S1" is byte-identical and the acquirer authorised it once

  @TEC-S-017
  Scenario: the same id with other content is 3002
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a sale "S1" of "1256"
    Then the response is 400 "3002"
    And the response fields are:
      | field          | value                    |
      | response_text  | DUPLICATE TRANSACTION ID |
      | transaction_id | <id S1>                  |

  @TEC-S-017 @needs-control
  Scenario: a declined sale is replayed, not retried
    When the ECR sends a sale "D1" of "1205"
    And the ECR sends the request "D1" again
    Then the response is 200 "1005"
    And every answer to "D1" is byte-identical and the acquirer authorised it once

  @TEC-S-017
  Scenario: field order does not change the fingerprint
    When the ECR sends the request "S1" with the body:
      """
      {"amount":"100","card_number":"","currency":"EUR","message_type":"0001","terminal_number":"88091105","transaction_date_time":"20240521190912","transaction_id":"<id S1>","transaction_origin_identifier":"1","transaction_origin_indicator":"0"}
      """
    Then the response is 200 "0000"
    When the ECR sends the request "S1" with the body:
      """
      {"transaction_origin_indicator":"0","transaction_origin_identifier":"1","transaction_id":"<id S1>","transaction_date_time":"20240521190912","terminal_number":"88091105","message_type":"0001","currency":"EUR","card_number":"","amount":"100"}
      """
    Then the response is 200 "0000"
