@server
Feature: TECS MOTO sale (0001, origin indicator 2)

  A MOTO sale authorises from card_number (PAN_YYMM) without the reader: no customer needs to
  present anything. An empty card_number is 400 3001.

  @TEC-S-008 @needs-control
  Scenario: a MOTO sale authorises from PAN_YYMM without the reader
    Given the customer at terminal "88091105" never presents a card
    When the ECR sends a MOTO sale "M1" of "700" for card "4111111111111111_2712"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value                 |
      | transaction_type | 01                    |
      | card_number      | 411111******1111_2712 |
    And the record "M1" has:
      | field  | value     |
      | kind   | moto_sale |
      | status | approved  |

  @TEC-S-008 @TEC-S-003
  Scenario: a MOTO sale with an empty card_number is 3001
    When the ECR sends a MOTO sale "M1" of "700" for card ""
    Then the response is 400 "3001"
    And the response fields are:
      | field         | value                     |
      | response_text | INVALID FIELD card_number |

  @TEC-S-008 @TEC-S-005
  Scenario: a MOTO sale is declined by amount like any other
    When the ECR sends a MOTO sale "M1" of "751" for card "4111111111111111_2712"
    Then the response is 200 "1051"
