@server
Feature: TECS refunds (0011): card present and referenced by TXID

  @TEC-S-010 @needs-control
  Scenario: a refund with an empty card_number refunds the presented card
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a refund "R1" of "300"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value                 |
      | transaction_type | 05                    |
      | card_number      | 411111******1111_2712 |
    And the record "R1" has:
      | field  | value    |
      | kind   | refund   |
      | status | approved |

  @TEC-S-010 @TEC-S-011 @TEC-S-020
  Scenario: a referenced refund in the short form TXID<20>
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a referenced refund "R1" of "300" for "S1"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value     |
      | transaction_type | 05        |
      | card_number      | <TXID S1> |
      | orig_tx_id       | <id S1>   |
      | orig_stan        | <stan S1> |

  @TEC-S-010 @TEC-S-011 @TEC-S-020
  Scenario: a referenced refund in the long form TXID<20>_<src>_<terminal>
    When the ECR sends a sale "S1" of "1255" on terminal "11460019"
    And the ECR sends a referenced refund "R1" of "101" for "S1" in long form on terminal "11460019"
    Then the response is 200 "0000"
    And the response fields are:
      | field       | value          |
      | card_number | <TXID-long S1> |
      | orig_tx_id  | <id S1>        |
    And the response field "card_number" contains "_01_11460019"

  @TEC-S-011
  Scenario: an unpadded TXID is padded before matching (D8)
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a referenced refund "R1" of "300" with:
      | field       | value      |
      | card_number | TXID<id S1> |
    Then the response is 200 "0000"
    And the response fields are:
      | field      | value   |
      | orig_tx_id | <id S1> |

  @TEC-S-010 @TEC-S-014 @needs-control
  Scenario: refunds add up to the original's amount, then 1203
    When the ECR sends a sale "S1" of "1000"
    And the ECR sends a referenced refund "R1" of "600" for "S1"
    Then the response is 200 "0000"
    When the ECR sends a referenced refund "R2" of "401" for "S1" in long form
    Then the response is 200 "1203"
    When the ECR sends a referenced refund "R3" of "400" for "S1"
    Then the response is 200 "0000"
    And the record "S1" has:
      | field           | value    |
      | status          | refunded |
      | refunded_amount | 1000     |

  @TEC-S-011 @TEC-S-014
  Scenario: a reference to an unknown transaction is 1201
    When the ECR sends a referenced refund "R1" of "300" for "NOPE"
    Then the response is 200 "1201"
    And the response fields are:
      | field         | value                          |
      | response_text | ORIGINAL TRANSACTION NOT FOUND |

  @TEC-S-014
  Scenario: a long reference with another transaction_source_id is 1201
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a referenced refund "R1" of "300" with:
      | field       | value                                    |
      | card_number | TXID<padded S1>_07_88091105 |
    Then the response is 200 "1201"

  @TEC-S-014
  Scenario: a preauthorization cannot be refunded
    When the ECR sends a preauthorization "P1" of "5000"
    And the ECR sends a referenced refund "R1" of "100" for "P1"
    Then the response is 200 "1202"
