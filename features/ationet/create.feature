@server
Feature: ATIONet creates (MobilePayments and PreAuthorizedPayments)

  A valid create with a new key gets 200 and the key back as transactionId (spec 3.1, 3.2).

  @ATN-S-001 @ATN-S-003 @ATN-S-007 @needs-control
  Scenario: A valid MobilePayments create gets 200 with the key as transactionId
    When the MPA sends a MobilePayments request
    Then the response status is 200
    And the response header "content-type" is "application/json; charset=utf-8"
    And the response body is exactly:
      """
      {"transactionId":"<id>"}
      """
    And the transaction id equals the potencyKeyId
    And exactly 1 transaction was created

  @ATN-S-001 @ATN-S-003 @needs-control @needs-virtual-time
  Scenario: The typed client creates a purchase that starts in state 1
    When the MPA buys 9 of grade "3" at pump 1 with card "0000000000001"
    Then the transaction id equals the potencyKeyId
    And the transaction is in state 1 "Created"

  @ATN-S-001 @ATN-S-003 @needs-control
  Scenario: A valid PreAuthorizedPayments create gets 200 with the key as transactionId
    When the MPA sends a PreAuthorizedPayments request
    Then the response status is 200
    And the response has the keys "transactionId" in order
    And the transaction id equals the potencyKeyId
    And exactly 1 transaction was created

  @ATN-S-001 @needs-control
  Scenario: A numeric string amount is accepted
    When the MPA sends a MobilePayments request with:
      | field  | value |
      | amount | "9"   |
    Then the response status is 200
    And exactly 1 transaction was created

  @ATN-S-007 @needs-control @needs-virtual-time
  Scenario: Input names are accepted in any casing
    When the MPA sends a MobilePayments request with:
      | field             | value           |
      | siteCode          | <absent>        |
      | pumpNumber        | <absent>        |
      | fuelCode          | <absent>        |
      | amount            | <absent>        |
      | primaryTrack      | <absent>        |
      | SITECODE          | "1524"          |
      | PumpNumber        | 1               |
      | fuelcode          | "3"             |
      | AMOUNT            | 9               |
      | PrimaryTrack      | "0000000000001" |
    Then the response status is 200
    And the response has the keys "transactionId" in order
    And exactly 1 transaction was created
    And the transaction reaches state 10 "Complete"
    And GetTransaction returns the seed's fields in order

  @ATN-S-007 @needs-control @needs-virtual-time
  Scenario: PreAuthorizedPayments accepts the externalReferenceID spelling
    When the MPA sends a PreAuthorizedPayments request with:
      | field               | value    |
      | externalReferanceID | <absent> |
      | externalReferenceID | "854712" |
    Then the response status is 200
    And the transaction reaches state 10 "Complete"
    And the transaction's "paymentProcessorReferenceId" is "854712"

  @ATN-S-017 @ATN-S-016 @needs-control @needs-virtual-time
  Scenario: A volume preset dispenses exactly and prices the litres half up
    When the MPA sends a MobilePayments request
    Then the transaction reaches state 10 "Complete"
    And the transaction's "dispatchedQuantity" is 9
    And the transaction's "dispatchedAmount" is 13.13
    And the dispatched amount is the quantity times the unit price, rounded half up
    And nothing dispensed exceeds the authorized amount, which does not exceed the requested amount

  @ATN-S-017 @needs-control @needs-virtual-time
  Scenario: A money preset stops within the limit and prices the litres half up
    Given the site setting "preset_unit" is "money"
    When the MPA sends a MobilePayments request with:
      | field  | value |
      | amount | 10    |
    Then the transaction reaches state 10 "Complete"
    And the dispatched amount is the quantity times the unit price, rounded half up

  @ATN-S-017 @needs-control @needs-virtual-time
  Scenario: An early hang-up finalizes the partial figures
    Given the driver hangs up at "2.5 L"
    When the MPA sends a MobilePayments request
    Then the transaction reaches state 10 "Complete"
    And the transaction's "dispatchedQuantity" is 2.5
    And the dispatched amount is the quantity times the unit price, rounded half up
