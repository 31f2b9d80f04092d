@server
Feature: TECS base paths, version and the TransactionResponse shape

  The ECR may use either base path (D1); version needs no credentials (D3). Every
  makeTransaction answer, whatever its status, is a complete TransactionResponse (D5).

  @TEC-S-001
  Scenario Outline: version answers under <base>
    When the ECR asks for the version under "<base>"
    Then the response fields are:
      | field   | value          |
      | appName | tecsclientrest |
      | version | 0.14.15-payrig |
      | buildDate | 2025-01-01   |

    Examples:
      | id   | base                 |
      | ref  | /tecsclientrest      |
      | oas  | /tecsclientrest-auth |

  @TEC-S-001 @TEC-S-004 @TEC-S-005
  Scenario Outline: a sale is approved identically under <base>
    When the ECR sends a sale "S1" of "1255" under "<base>"
    Then the response is 200 "0000"
    And the response is a complete TransactionResponse
    And the response fields are:
      | field            | value                 |
      | message_type     | 0002                  |
      | response_text    | APPROVED              |
      | transaction_type | 01                    |
      | card_number      | 411111******1111_2712 |

    Examples:
      | id   | base                 |
      | ref  | /tecsclientrest      |
      | oas  | /tecsclientrest-auth |

  @TEC-S-004
  Scenario: a refusal is a complete TransactionResponse too
    When the ECR sends a sale "S1" of "12.55"
    Then the response is 400 "3001"
    And the response is a complete TransactionResponse
    And the response fields are:
      | field          | value                |
      | message_type   | 0002                 |
      | response_text  | INVALID FIELD amount |
      | transaction_id | <id S1>              |

  @TEC-S-001
  Scenario: an unknown path under a base path is 404 with an empty body
    When the ECR sends "GET" "/tecsclientrest/nothing"
    Then the response is 404 with an empty body

  @TEC-S-001
  Scenario: makeTransaction only takes POST
    When the ECR sends "GET" "/tecsclientrest-auth/makeTransaction"
    Then the response is 405 with an empty body
