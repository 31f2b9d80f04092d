@server
Feature: TECS preauthorization (0001 origin 5) and capture (0013 origin 4)

  @TEC-S-007 @needs-control
  Scenario: a preauthorization creates a hold, not a sale
    When the ECR sends a preauthorization "P1" of "5000"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value |
      | transaction_type | 02    |
    And the record "P1" has:
      | field           | value    |
      | kind            | preauth  |
      | status          | approved |
      | approved_amount | 5000     |
      | captured_amount | 0        |

  @TEC-S-012 @TEC-S-007 @needs-control
  Scenario: a capture takes at most the preauthorized amount, once
    When the ECR sends a preauthorization "P1" of "5000"
    And the ECR sends a capture "C1" of "4000" for "P1"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value      |
      | transaction_type | 03         |
      | transaction_id   | <id C1>    |
      | orig_tx_id       | <id P1>    |
      | orig_stan        | <stan P1>  |
      | card_number      | <TXID P1>  |
    And the record "P1" has:
      | field           | value    |
      | status          | captured |
      | captured_amount | 4000     |
    When the ECR sends a capture "C2" of "1000" for "P1"
    Then the response is 200 "1202"
    And the response fields are:
      | field         | value                 |
      | response_text | ORIGINAL NOT ELIGIBLE |

  @TEC-S-012 @TEC-S-014
  Scenario: a capture above the preauthorized amount is 1203
    When the ECR sends a preauthorization "P1" of "5000"
    And the ECR sends a capture "C1" of "5001" for "P1"
    Then the response is 200 "1203"
    And the response fields are:
      | field         | value                   |
      | response_text | AMOUNT EXCEEDS ORIGINAL |

  @TEC-S-012 @TEC-S-014
  Scenario: the full preauthorized amount can be captured
    When the ECR sends a preauthorization "P1" of "5000"
    And the ECR sends a capture "C1" of "5000" for "P1"
    Then the response is 200 "0000"

  @TEC-S-012 @TEC-S-014
  Scenario: a sale cannot be captured
    When the ECR sends a sale "S1" of "1000"
    And the ECR sends a capture "C1" of "1000" for "S1"
    Then the response is 200 "1202"

  @TEC-S-012 @TEC-S-014
  Scenario: a declined preauthorization cannot be captured
    When the ECR sends a preauthorization "P1" of "5005"
    Then the response is 200 "1005"
    When the ECR sends a capture "C1" of "100" for "P1"
    Then the response is 200 "1202"
