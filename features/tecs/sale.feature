@server
Feature: TECS sale (0001) and its outcomes

  A sale blocks until the customer has presented a card (default: tecs_visa, inserted after
  2 s, online PIN) and the acquirer has answered. Every terminal or host outcome is HTTP 200;
  0000 means approved and nothing else does (D4). The acquirer profile tecs-default picks the
  outcome by the last two digits of the total.

  @TEC-S-005 @TEC-S-020
  Scenario: an approved sale echoes the ids and returns the masked PAN
    When the ECR sends a sale "S1" of "1255" with:
      | field    | value  |
      | ecr_data | till 7 |
    Then the response is 200 "0000"
    And the response fields are:
      | field                                   | value                 |
      | transaction_id                          | <id S1>               |
      | ecr_data                                | till 7                |
      | transaction_type                        | 01                    |
      | card_number                             | 411111******1111_2712 |
      | credit_card_issuer_and_acquirer_company | PAYRIG ACQ;VISA       |
      | orig_tx_id                              |                       |
    And the response field "authorization_number" is 6 capital letters or digits
    And the response field "receipt_footer" starts with "PIN VERIFIED"
    And the response field "stan" is not ""

  @TEC-S-005 @needs-control
  Scenario: the approved sale is recorded with its amount
    When the ECR sends a sale "S1" of "1255"
    Then the response is 200 "0000"
    And the record "S1" has:
      | field           | value    |
      | kind            | sale     |
      | status          | approved |
      | approved_amount | 1255     |
    And the acquirer has 1 record for terminal "88091105"

  @TEC-S-005
  Scenario Outline: an amount ending in <ending> is declined <code> with HTTP 200
    When the ECR sends a sale "D1" of "<amount>"
    Then the response is 200 "<code>"
    And the response fields are:
      | field            | value   |
      | response_text    | <text>  |
      | transaction_type | 01      |
    And the response field "response_code" is not "0000"

    Examples:
      | id  | ending | amount | code | text               |
      | 05  | 05     | 1205   | 1005 | DECLINED           |
      | 51  | 51     | 2051   | 1051 | INSUFFICIENT FUNDS |
      | 54  | 54     | 354    | 1054 | EXPIRED CARD       |
      | 91  | 91     | 991    | 1091 | ISSUER UNAVAILABLE |

  @TEC-S-005 @needs-control
  Scenario: a declined sale is recorded declined
    When the ECR sends a sale "D1" of "1205"
    Then the response is 200 "1005"
    And the record "D1" has status "declined"

  @TEC-S-005 @needs-control
  Scenario: a wrong PIN is 1055 with HTTP 200
    Given the customer at terminal "88091105" will present:
      | field | value   |
      | card  | "tecs_visa" |
      | pin   | "wrong" |
    When the ECR sends a sale "W1" of "1000"
    Then the response is 200 "1055"
    And the response fields are:
      | field         | value         |
      | response_text | INCORRECT PIN |
    And the record "W1" has status "declined"

  @TEC-S-020 @needs-control
  Scenario: another card is masked first 6, last 4, with its expiry
    Given the customer at terminal "88091105" will present:
      | field | value      |
      | card  | "mc_ok"    |
    When the ECR sends a sale "S1" of "1000"
    Then the response is 200 "0000"
    And the response fields are:
      | field                                   | value                 |
      | card_number                             | 541333******0118_3112 |
      | credit_card_issuer_and_acquirer_company | PAYRIG ACQ;MASTERCARD |

  @TEC-S-020 @needs-control
  Scenario: with masking off the full PAN comes back (D17)
    Given the TECS setting "mask_pan" is false
    When the ECR sends a sale "S1" of "1000"
    Then the response is 200 "0000"
    And the response fields are:
      | field       | value                 |
      | card_number | 4111111111111111_2712 |
