@server
Feature: ATIONet GetTransaction

  The id comes from the path; the body has the seed's fields in the seed's order, idDispatch
  last (spec 3.3, D11, D19).

  @ATN-S-010 @ATN-S-007 @needs-control @needs-virtual-time
  Scenario: GetTransaction returns every seed field in order plus idDispatch
    When the MPA sends a MobilePayments request
    Then the transaction reaches state 10 "Complete"
    And GetTransaction returns the seed's fields in order
    When the MPA gets the transaction
    Then the response status is 200
    And the response header "content-type" is "application/json; charset=utf-8"
    And the response fields are:
      | field                     | value           |
      | siteCode                  | "1524"          |
      | primaryTrack              | "0000000000001" |
      | odometer                  | 0               |
      | terminalIdentification    | "ST01"          |
      | transactionSequenceNumber | 1               |
      | state_Name                | "Complete"      |
      | state_Id                  | 10              |
      | siteSystemMessage         | null            |
      | fuelPointNumber           | 1               |
      | paymentMethod             | "AtionetPrepaid"|
      | requestedAmount           | 9               |
      | authorizedAmount          | 9               |
      | dispatchedAmount          | 13.13           |
      | dispatchedQuantity        | 9               |
      | productCode               | "3"             |
      | productDescription        | "Diesel"        |
      | productUnitPrice          | 1.459           |
      | unitMeasure               | "L"             |

  @ATN-S-010 @needs-virtual-time
  Scenario: Product fields are null or 0 until the pump is reserved
    When the MPA sends a MobilePayments request
    And the MPA gets the transaction
    Then the response status is 200
    And the response fields are:
      | field                  | value |
      | state_Id               | 1     |
      | terminalIdentification | null  |
      | productCode            | null  |
      | productDescription     | null  |
      | productUnitPrice       | 0     |
      | unitMeasure            | null  |
      | idDispatch             | null  |

  @ATN-S-010
  Scenario: An unknown id gets 404 naming id
    When the MPA gets the transaction "no-such-transaction"
    Then the response is a 404 problem "unknown_transaction" naming "id"

  @ATN-S-010 @ATN-S-007
  Scenario: The GetTransaction path is case-insensitive and a body is ignored
    When the MPA sends a MobilePayments request
    And the MPA sends "GET" "/API/mobilepayments/GETTRANSACTION/<id>" with body:
      """
      {"id":"something-else"}
      """
    Then the response status is 200
    And the response fields are:
      | field | value  |
      | id    | "<id>" |
