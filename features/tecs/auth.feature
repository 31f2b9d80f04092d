@server @needs-control
Feature: TECS authentication (D2)

  Three Authorization forms are accepted: a bare authKey, a Bearer token and a Basic PAM
  user. Anything else is 401 3401 with a Basic challenge, and nothing is recorded.

  @TEC-S-002
  Scenario Outline: the <id> credential is accepted
    When the ECR sends a sale "A1" with the header "Authorization" set to "<value>"
    Then the response is 200 "0000"

    Examples:
      | id      | value                                      |
      | authKey | tecs-authkey-1                             |
      | bearer  | Bearer tecs-test-token                     |
      | basic   | Basic ZWNyODgwOTExMDU6VGVjcy1UZXN0LVBhc3Mx |

  @TEC-S-002
  Scenario Outline: a wrong credential (<id>) is 401 3401 and records nothing
    When the ECR sends a sale "A1" with the header "Authorization" set to "<value>"
    Then the response is 401 "3401"
    And the response header "WWW-Authenticate" is "Basic realm="tecsclientrest""
    And the response fields are:
      | field         | value       |
      | response_text | UNAUTHORISED |
    And terminal "88091105" has no records

    Examples:
      | id            | value                                  |
      | wrong-key     | tecs-authkey-2                         |
      | wrong-bearer  | Bearer nope                            |
      | wrong-basic   | Basic ZWNyODgwOTExMDU6d3Jvbmc=         |
      | garbage-basic | Basic !!!                              |

  @TEC-S-002
  Scenario: no Authorization header is 401 3401
    When the ECR sends a sale "A1" without an Authorization header
    Then the response is 401 "3401"
    And terminal "88091105" has no records

  @TEC-S-022
  Scenario: a Basic user scoped to one terminal is refused on another
    Given the Basic user "ecr88091105" with password "Tecs-Test-Pass1" may only use terminal "88091105"
    When the ECR sends a sale "A1" on terminal "88091234" with the header "Authorization" set to "Basic ZWNyODgwOTExMDU6VGVjcy1UZXN0LVBhc3Mx"
    Then the response is 401 "3401"
    And terminal "88091234" has no records
    When the ECR sends a sale "A2" on terminal "88091105" with the header "Authorization" set to "Basic ZWNyODgwOTExMDU6VGVjcy1UZXN0LVBhc3Mx"
    Then the response is 200 "0000"

  @TEC-S-022
  Scenario: an unconfigured terminal is 400 3004
    When the ECR sends a sale "A1" of "100" on terminal "99999999"
    Then the response is 400 "3004"
    And the response fields are:
      | field         | value            |
      | response_text | UNKNOWN TERMINAL |
