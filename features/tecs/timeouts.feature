@server @needs-control @needs-virtual-time
Feature: TECS timers (D15): card_wait and host_timeout

  @TEC-S-019
  Scenario: no card within card_wait (60 s) ends the sale 2002
    Given the customer at terminal "88091105" never presents a card
    When the ECR sends a sale "S1" of "500"
    Then the response is 200 "2002"
    And the response fields are:
      | field         | value             |
      | response_text | NO CARD PRESENTED |
    And the response came 60 seconds after the request
    And the record "S1" has status "aborted"

  @TEC-S-019
  Scenario: card_wait is configurable
    Given the TECS setting "card_wait" is "20s"
    And terminal "88091105" has no customer
    When the ECR sends a sale "S1" of "500"
    Then the response is 200 "2002"
    And the response came 20 seconds after the request

  @TEC-S-019
  Scenario: a silent acquirer ends the sale 1091 after host_timeout, with a timeout reversal
    Given the acquirer never answers the next authorisation on terminal "11460019"
    When the ECR sends a sale "S1" of "100" on terminal "11460019"
    Then the response is 200 "1091"
    And the response came 30 to 40 seconds after the request
    And the acquirer reversed the authorisation of "S1"
    And the record "S1" has status "declined"

  @TEC-S-019
  Scenario: host_timeout is configurable
    Given the TECS setting "host_timeout" is "5s"
    And the acquirer never answers the next authorisation on terminal "88091105"
    When the ECR sends a sale "S1" of "100"
    Then the response is 200 "1091"
    And the response came 5 to 12 seconds after the request
