@server @needs-control
Feature: ATIONet idempotency by potencyKeyId

  The key is the idempotency key and the transaction id (spec 3.6, D5, D6).

  @ATN-S-004 @needs-virtual-time
  Scenario: An identical repeat returns the same id without a second Reserve
    When the MPA sends a MobilePayments request
    And the clock runs until the transaction is in state 5
    And the MPA sends the same request again
    Then the response status is 200
    And the response body is exactly:
      """
      {"transactionId":"<id>"}
      """
    When the clock runs until idle
    Then exactly 1 transaction was created
    And the site received exactly 1 Reserve command
    And the transaction is in state 10 "Complete"

  @ATN-S-004 @needs-virtual-time
  Scenario: An identical repeat after completion returns the stored id
    When the MPA sends a MobilePayments request
    Then the transaction reaches state 10 "Complete"
    When the MPA sends the same request again
    Then the response status is 200
    And the transaction id equals the potencyKeyId
    When the clock runs until idle
    Then exactly 1 transaction was created
    And the site received exactly 1 Reserve command

  @ATN-S-004
  Scenario: Numbers are compared as exact decimals in a repeat
    When the MPA sends a MobilePayments request
    And the MPA sends a MobilePayments request with:
      | field        | value      |
      | potencyKeyId | <same key> |
      | amount       | 9.0        |
    Then the response status is 200
    And the response body is exactly:
      """
      {"transactionId":"<id>"}
      """
    And exactly 1 transaction was created

  @ATN-S-006
  Scenario: A key reused with another body gets 409 naming potencyKeyId
    When the MPA sends a MobilePayments request
    And the MPA sends a MobilePayments request with:
      | field        | value      |
      | potencyKeyId | <same key> |
      | amount       | 10         |
    Then the response is a 409 problem "idempotency_key_reused" naming "potencyKeyId"
    And exactly 1 transaction was created
    And the transaction's "requestedAmount" is 9

  @ATN-S-006
  Scenario: A MobilePayments key reused for a PreAuthorizedPayments create gets 409
    When the MPA sends a MobilePayments request
    And the MPA sends a PreAuthorizedPayments request with:
      | field        | value      |
      | potencyKeyId | <same key> |
    Then the response is a 409 problem "idempotency_key_reused" naming "potencyKeyId"
    And exactly 1 transaction was created
    And the transaction's "paymentMethod" is "AtionetPrepaid"

  @ATN-S-006
  Scenario: With on_key_mismatch return_existing, another body gets the stored id
    Given the ATIONet setting "on_key_mismatch" is "return_existing"
    When the MPA sends a MobilePayments request
    And the MPA sends a MobilePayments request with:
      | field        | value      |
      | potencyKeyId | <same key> |
      | amount       | 10         |
    Then the response status is 200
    And the response body is exactly:
      """
      {"transactionId":"<id>"}
      """
    And exactly 1 transaction was created
    And the transaction's "requestedAmount" is 9

  @ATN-S-008
  Scenario: A 4xx consumes no key
    When the MPA sends a MobilePayments request with:
      | field  | value |
      | amount | 0     |
    Then the response is a 400 problem "invalid_value" naming "amount"
    When the MPA sends a MobilePayments request with:
      | field        | value      |
      | potencyKeyId | <same key> |
    Then the response status is 200
    And exactly 1 transaction was created

  @ATN-S-005 @needs-virtual-time
  Scenario: 100 concurrent identical creates give one transaction and one Reserve
    When 100 clients send the same MobilePayments request concurrently
    Then all 100 responses are 200 with the same transaction id
    When the clock runs until idle
    Then exactly 1 transaction was created
    And the site received exactly 1 Reserve command
    And the transaction is in state 10 "Complete"
