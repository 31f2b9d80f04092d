@server
Feature: TECS cancel (0013, origin identifier not 4)

  @TEC-S-013
  Scenario: a cancel reverses the sale in full and names the original
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a cancel "C1" of "1255" for "S1"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value     |
      | transaction_type | 04        |
      | transaction_id   | <id C1>   |
      | orig_tx_id       | <id S1>   |
      | orig_stan        | <stan S1> |
      | card_number      | <TXID S1> |

  @TEC-S-013 @needs-control
  Scenario: the cancelled sale is recorded cancelled
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a cancel "C1" of "1255" for "S1"
    Then the record "S1" has status "cancelled"
    And the record "C1" has:
      | field  | value    |
      | kind   | cancel   |
      | status | approved |

  @TEC-S-013 @TEC-S-007
  Scenario: a preauthorization can be cancelled
    When the ECR sends a preauthorization "P1" of "5000"
    And the ECR sends a cancel "C1" of "5000" for "P1" in long form
    Then the response is 200 "0000"
    And the response fields are:
      | field      | value   |
      | orig_tx_id | <id P1> |

  @TEC-S-013 @TEC-S-014
  Scenario: a cancel's amount must equal the original amount (D11)
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a cancel "C1" of "1000" for "S1"
    Then the response is 200 "1203"

  @TEC-S-013 @TEC-S-014
  Scenario: a cancelled sale cannot be cancelled again
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a cancel "C1" of "1255" for "S1"
    And the ECR sends a cancel "C2" of "1255" for "S1"
    Then the response is 200 "1202"

  @TEC-S-014
  Scenario: cancelling a declined sale is 1202 (D14)
    When the ECR sends a sale "S1" of "1205"
    And the ECR sends a cancel "C1" of "1205" for "S1"
    Then the response is 200 "1202"

  @TEC-S-014
  Scenario: cancelling an unknown transaction is 1201
    When the ECR sends a cancel "C1" of "1255" for "NOPE"
    Then the response is 200 "1201"

  @TEC-S-013 @TEC-S-014
  Scenario: a sale with a refund cannot be cancelled
    When the ECR sends a sale "S1" of "1255"
    And the ECR sends a referenced refund "R1" of "100" for "S1"
    And the ECR sends a cancel "C1" of "1255" for "S1"
    Then the response is 200 "1202"
