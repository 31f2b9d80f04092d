@server
Feature: TECS bad input: 400 3001 naming the field, 3005 for other message types

  Fields breaking a limit of spec 3.1 are refused before the terminal with 400 3001 and the
  field's name; `amount` is read only as digits of minor units. Message types outside the
  Cloud-iA list, and origin identifier 7, get 400 3005 (D21).

  @TEC-S-003
  Scenario Outline: <field> "<value>" is refused with 3001 naming it
    When the ECR sends a sale "B1" with:
      | field   | value   |
      | <field> | <value> |
    Then the response is 400 "3001"
    And the response fields are:
      | field          | value                 |
      | response_text  | INVALID FIELD <field> |

    Examples:
      | id                 | field                         | value                 |
      | amount-decimal     | amount                        | 12.55                 |
      | amount-signed      | amount                        | -100                  |
      | amount-plus        | amount                        | +100                  |
      | amount-spaced      | amount                        | 1 00                  |
      | amount-zero        | amount                        | 0                     |
      | amount-too-long    | amount                        | 123456789012          |
      | currency-unknown   | currency                      | XXX                   |
      | currency-short     | currency                      | EU                    |
      | desired-currency   | desired_currency              | USD                   |
      | terminal-short     | terminal_number               | 1234                  |
      | date-dashes        | transaction_date_time         | 2024-05-21            |
      | date-letters       | transaction_date_time         | 2024052119091X        |
      | id-too-long        | transaction_id                | 123456789012345678901 |
      | origin-two-chars   | transaction_origin_identifier | 11                    |
      | message-type-long  | message_type                  | 00011                 |
      | language-long      | language                      | ENG                   |
      | reason-bytes       | payment_reason                | ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ  |

  @TEC-S-003
  Scenario Outline: a missing required <field> is refused with 3001 naming it
    When the ECR sends a sale "B1" with:
      | field   | value    |
      | <field> | (absent) |
    Then the response is 400 "3001"
    And the response fields are:
      | field          | value                 |
      | response_text  | INVALID FIELD <field> |

    Examples:
      | id       | field           |
      | amount   | amount          |
      | currency | currency        |
      | terminal | terminal_number |
      | card     | card_number     |

  @TEC-S-003
  Scenario: a number where a string belongs is refused naming the field
    When the ECR sends the request "B1" with the body:
      """
      {"amount":1255,"card_number":"","currency":"EUR","message_type":"0001","terminal_number":"88091105","transaction_date_time":"20240521190912","transaction_id":"<id B1>","transaction_origin_identifier":"1","transaction_origin_indicator":"0"}
      """
    Then the response is 400 "3001"
    And the response fields are:
      | field         | value                |
      | response_text | INVALID FIELD amount |

  @TEC-S-003
  Scenario: a body that is not JSON is 3001
    When the ECR sends the request "B1" with the body:
      """
      {"amount":"1255",
      """
    Then the response is 400 "3001"

  @TEC-S-003
  Scenario: a body sent as text/plain is 3001 naming Content-Type
    When the ECR sends a sale "B1" with the header "Content-Type" set to "text/plain"
    Then the response is 400 "3001"
    And the response fields are:
      | field         | value                      |
      | response_text | INVALID FIELD Content-Type |

  @TEC-S-003 @needs-control
  Scenario: refused requests change nothing on the terminal
    When the ECR sends a sale "B1" of "12.55"
    And the ECR sends a sale "B2" of "-1"
    Then terminal "88091105" has no records
    And the acquirer has no records for terminal "88091105"

  @TEC-S-003 @needs-control
  Scenario: amount is minor units of the currency (JPY has no decimals)
    When the ECR sends a sale "J1" of "1255" with:
      | field            | value |
      | currency         | JPY   |
      | desired_currency | JPY   |
    Then the response is 200 "0000"
    And the record "J1" has:
      | field           | value |
      | currency        | JPY   |
      | amount          | 1255  |
      | approved_amount | 1255  |

  @TEC-S-003 @needs-control
  Scenario: amount is minor units of EUR (1255 is 12,55)
    When the ECR sends a sale "E1" of "1255"
    Then the response is 200 "0000"
    And the record "E1" has:
      | field    | value |
      | currency | EUR   |
      | amount   | 1255  |

  @TEC-S-021
  Scenario Outline: message type <type> is not supported: 3005
    When the ECR sends a sale "B1" with:
      | field        | value  |
      | message_type | <type> |
    Then the response is 400 "3005"
    And the response fields are:
      | field         | value                      |
      | response_text | MESSAGE TYPE NOT SUPPORTED |

    Examples:
      | id   | type |
      | 0005 | 0005 |
      | 0009 | 0009 |
      | 0015 | 0015 |
      | 9043 | 9043 |

  @TEC-S-021
  Scenario: origin identifier 7 (balance) is not supported: 3005
    When the ECR sends a sale "B1" with:
      | field                         | value |
      | transaction_origin_identifier | 7     |
    Then the response is 400 "3005"

  @TEC-S-003
  Scenario: unknown fields are ignored
    When the ECR sends a sale "U1" of "100" with:
      | field         | value |
      | vendor_extra  | 42    |
    Then the response is 200 "0000"
