@server @needs-control
Feature: TECS busy terminal (D6)

  A terminal that is not idle refuses every other new request at once with 400 3003, and the
  refused transaction_id stays unused.

  @TEC-S-016
  Scenario: a second request while the terminal waits for a card is 3003
    Given the customer at terminal "88091105" never presents a card
    When the ECR starts a sale "S1" of "500"
    And the ECR sends a sale "S2" of "100"
    Then the response is 400 "3003"
    And the response fields are:
      | field          | value         |
      | response_text  | TERMINAL BUSY |
      | transaction_id | <id S2>       |
    And terminal "88091105" has 1 record

  @TEC-S-016 @needs-virtual-time
  Scenario: a request while the acquirer authorises is 3003, and its id stays free
    Given the acquirer never answers the next authorisation on terminal "88091105"
    When the ECR starts a sale "S1" of "500"
    And 10 seconds pass
    And the ECR sends a refund "S2" of "100"
    Then the response is 400 "3003"
    When the pending request is answered
    Then the response is 200 "1091"
    When the ECR sends a sale "S2" of "100"
    Then the response is 200 "0000"

  @TEC-S-016
  Scenario: another terminal is not busy
    Given the customer at terminal "88091105" never presents a card
    When the ECR starts a sale "S1" of "500"
    And the ECR sends a sale "S2" of "100" on terminal "88091234"
    Then the response is 200 "0000"
