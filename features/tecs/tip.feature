@server @needs-control
Feature: TECS sale with tip (0907)

  The tip is keyed on the terminal (D12): the approved amount is amount + tip, and the receipt
  footer reports TIP: and TOTAL:.

  @TEC-S-009
  Scenario: a 2.00 tip on 10.00 approves 12.00
    Given the customer at terminal "88091105" will present:
      | field | value  |
      | tip   | "2.00" |
    When the ECR sends a sale with tip "T1" of "1000"
    Then the response is 200 "0000"
    And the response fields are:
      | field            | value |
      | transaction_type | 06    |
    And the response field "receipt_footer" contains "TIP:2.00"
    And the response field "receipt_footer" contains "TOTAL:12.00"
    And the record "T1" has:
      | field           | value    |
      | kind            | sale_tip |
      | amount          | 1000     |
      | tip_amount      | 200      |
      | approved_amount | 1200     |

  @TEC-S-009
  Scenario: a 10 % tip is rounded half-up
    Given the customer at terminal "88091105" will present:
      | field | value |
      | tip   | "10%" |
    When the ECR sends a sale with tip "T1" of "1235"
    Then the response is 200 "0000"
    And the response field "receipt_footer" contains "TIP:1.24"
    And the response field "receipt_footer" contains "TOTAL:13.59"

  @TEC-S-009 @TEC-S-005
  Scenario Outline: the outcome follows the total with the tip (<amount> + <tip>)
    Given the customer at terminal "88091105" will present:
      | field | value |
      | tip   | <tip> |
    When the ECR sends a sale with tip "T1" of "<amount>"
    Then the response is 200 "<code>"

    Examples:
      | id                 | amount | tip    | code |
      | total-ends-05      | 1004   | "1.01" | 1005 |
      | only-amount-ends-05 | 1005  | "0.50" | 0000 |
