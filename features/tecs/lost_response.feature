@server @needs-control
Feature: TECS unreachable terminals and lost responses (D14)

  An unreachable terminal answers 504 9001. An ECR disconnect does not stop the terminal: the
  outcome is kept and, when the response could not be written (or the ECR got 504 mid-flight),
  the record is marked response_undelivered.

  @TEC-S-006
  Scenario: an idle, unreachable terminal is 504 9001 and records nothing
    Given terminal "88091234" is unreachable
    When the ECR sends a sale "S1" of "100" on terminal "88091234"
    Then the response is 504 "9001"
    And the response fields are:
      | field         | value                  |
      | response_text | TERMINAL NOT REACHABLE |
    And terminal "88091234" has no records

  @TEC-S-006
  Scenario: a terminal configured unreachable is 504 9001
    Given terminal "11460019" starts unreachable
    When the ECR sends a sale "S1" of "100" on terminal "11460019"
    Then the response is 504 "9001"
    And terminal "11460019" has no records

  @TEC-S-006 @TEC-S-018
  Scenario: a terminal lost mid-flight answers 504, the sale goes on, undelivered
    When the ECR starts a sale "S1" of "500"
    And terminal "88091105" becomes unreachable
    And the pending request is answered
    Then the response is 504 "9001"
    When 30 seconds pass
    Then the record "S1" is approved and marked response_undelivered

  @TEC-S-018
  Scenario: a response that cannot be written keeps the approval, marked undelivered
    Given the response to the next makeTransaction is lost
    When the ECR starts a sale "S1" of "1255"
    And the pending request loses its connection
    Then the record "S1" is approved and marked response_undelivered
    And the acquirer has 1 record for terminal "88091105"

  @TEC-S-018 @TEC-S-014
  Scenario: the ECR cancels the lost sale (TEC-C-002), and the cancel is answered
    Given the response to the next makeTransaction is lost
    When the ECR starts a sale "S1" of "1255"
    And the pending request loses its connection
    And the ECR sends a cancel "C1" of "1255" for "S1"
    Then the response is 200 "0000"
    And the record "S1" has status "cancelled"
