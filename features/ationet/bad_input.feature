@server @needs-control
Feature: ATIONet bad input

  A bad request gets a 4xx RFC 7807 body naming every bad field, and creates nothing
  (spec 5, D12, D13).

  @ATN-S-008
  Scenario: A body that is not JSON gets 400 malformed_json naming $
    When the MPA sends "POST" "/api/MobilePayments" with body:
      """
      {"siteCode":"1524","pumpNumber":1,
      """
    Then the response is a 400 problem "malformed_json" naming "$"
    And no transaction was created

  @ATN-S-008
  Scenario: A JSON array is not an object
    When the MPA sends "POST" "/api/MobilePayments" with body:
      """
      [{"siteCode":"1524"}]
      """
    Then the response is a 400 problem "malformed_json" naming "$"
    And no transaction was created

  @ATN-S-008
  Scenario Outline: A bad field gets 400 naming it
    When the MPA sends a MobilePayments request with:
      | field   | value   |
      | <field> | <value> |
    Then the response is a 400 problem "<code>" naming "<field>"
    And no transaction was created

    Examples:
      | id               | field             | value      | code          |
      | pump word        | pumpNumber        | "one"      | invalid_type  |
      | pump boolean     | pumpNumber        | true       | invalid_type  |
      | pump zero        | pumpNumber        | 0          | invalid_value |
      | pump 100         | pumpNumber        | 100        | invalid_value |
      | pump fraction    | pumpNumber        | 1.5        | invalid_value |
      | site number      | siteCode          | 1524       | invalid_type  |
      | site pattern     | siteCode          | "15 24"    | invalid_value |
      | fuel object      | fuelCode          | {"a":1}    | invalid_type  |
      | track empty      | primaryTrack      | ""         | invalid_value |
      | mode 2           | mobilePaymentMode | 2          | invalid_value |
      | key pattern      | potencyKeyId      | "bad key!" | invalid_value |
      | site missing     | siteCode          | <absent>   | missing_field |
      | terminal missing | terminalCode      | <absent>   | missing_field |
      | key missing      | potencyKeyId      | <absent>   | missing_field |
      | fuel null        | fuelCode          | null       | missing_field |

  @ATN-S-018 @ATN-S-008
  Scenario Outline: A bad amount gets 400 naming amount
    When the MPA sends a MobilePayments request with:
      | field  | value   |
      | amount | <value> |
    Then the response is a 400 problem "<code>" naming "amount"
    And no transaction was created

    Examples:
      | id                | value                          | code          |
      | zero              | 0                              | invalid_value |
      | negative          | -5                             | invalid_value |
      | above max_preset  | 1000.001                       | invalid_value |
      | huge exponent     | 1e400                          | invalid_value |
      | huge integer      | 123456789012345678901234567890 | invalid_value |
      | too many decimals | 9.0001                         | invalid_value |
      | NaN string        | "NaN"                          | invalid_type  |
      | missing           | <absent>                       | missing_field |
      | boolean           | false                          | invalid_type  |

  @ATN-S-018
  Scenario: An amount above the site's max_preset gets 400 naming amount
    Given the site setting "max_preset" is "50"
    When the MPA sends a MobilePayments request with:
      | field  | value |
      | amount | 50.5  |
    Then the response is a 400 problem "invalid_value" naming "amount"
    And no transaction was created

  @ATN-S-018
  Scenario: A money amount with more decimals than the currency gets 400 naming amount
    Given the site setting "preset_unit" is "money"
    When the MPA sends a MobilePayments request with:
      | field  | value |
      | amount | 9.001 |
    Then the response is a 400 problem "invalid_value" naming "amount"
    And no transaction was created

  @ATN-S-008 @ATN-S-007
  Scenario: A field given twice in another casing gets duplicate_field
    When the MPA sends a MobilePayments request with:
      | field    | value  |
      | SiteCode | "1524" |
    Then the response is a 400 problem "duplicate_field" naming "siteCode"
    And no transaction was created

  @ATN-S-008 @ATN-S-007
  Scenario: Both spellings of the external reference with different values get 400
    When the MPA sends a PreAuthorizedPayments request with:
      | field               | value    |
      | externalReferenceID | "999999" |
    Then the response is a 400 problem "invalid_value" naming "externalReferanceID"
    And no transaction was created

  @ATN-S-008
  Scenario: PreAuthorizedPayments requires the external reference
    When the MPA sends a PreAuthorizedPayments request with:
      | field               | value    |
      | externalReferanceID | <absent> |
    Then the response is a 400 problem "missing_field" naming "externalReferanceID"
    And no transaction was created

  @ATN-S-008
  Scenario: Every bad field is named
    When the MPA sends a MobilePayments request with:
      | field      | value    |
      | siteCode   | <absent> |
      | pumpNumber | 0        |
      | amount     | -1       |
    Then the response is a 400 problem "invalid_value" naming "amount"
    And the response is a 400 problem naming "pumpNumber"
    And the response is a 400 problem naming "siteCode"
    And no transaction was created

  @ATN-S-008
  Scenario: A create that is not JSON by Content-Type gets 415
    When the MPA sends a MobilePayments request with the header "Content-Type" set to "text/plain"
    Then the response status is 415
    And no transaction was created

  @ATN-S-008
  Scenario: A Cancel with a wrong type gets 400 naming transactionId
    When the MPA sends "POST" "/api/MobilePayments/Cancel" with body:
      """
      {"transactionId":5}
      """
    Then the response is a 400 problem "invalid_type" naming "transactionId"
