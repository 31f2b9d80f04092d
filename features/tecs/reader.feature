@server @needs-control
Feature: TECS reader failures

  @TEC-S-005
  Scenario: a card the chip refuses ends the sale 2003
    Given the customer at terminal "88091105" will present:
      | field | value        |
      | card  | "mc_blocked" |
    When the ECR sends a sale "S1" of "500"
    Then the response is 200 "2003"
    And the response fields are:
      | field         | value           |
      | response_text | CARD READ ERROR |
    And the record "S1" has status "aborted"

  @TEC-S-005
  Scenario: one failed read and a second try approves
    Given the reader of terminal "88091105" fails to read the next 1 card
    When the ECR sends a sale "S1" of "500"
    Then the response is 200 "0000"

  @TEC-S-005
  Scenario: a reader that never reads the card ends the sale 2003
    Given the reader of terminal "88091105" fails to read the next 1000 cards
    When the ECR sends a sale "S1" of "500"
    Then the response is 200 "2003"
