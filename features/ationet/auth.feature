@server @needs-control
Feature: ATIONet authentication

  Every request carries a Bearer token; the scheme word is case-insensitive, the token exact
  (spec 2, D1).

  @ATN-S-009
  Scenario: A create without a token gets 401
    When the MPA sends a MobilePayments request without a token
    Then the response is a 401 problem "unauthorized" naming "Authorization"
    And the response header "www-authenticate" is "Bearer"
    And no transaction was created

  @ATN-S-009
  Scenario Outline: A wrong token or scheme gets 401
    When the MPA sends a MobilePayments request with the header "Authorization" set to "<header>"
    Then the response is a 401 problem "unauthorized" naming "Authorization"
    And the response header "www-authenticate" is "Bearer"
    And no transaction was created

    Examples:
      | id           | header                   |
      | wrong token  | Bearer atn-test-7f3c9a1f |
      | basic scheme | Basic YXRuOnRlc3Q=       |
      | bare token   | atn-test-7f3c9a1e        |

  @ATN-S-009
  Scenario: A request without a valid token gets 401 whatever its body
    When the MPA sends "POST" "/api/MobilePayments" with the header "Authorization" set to "Bearer nope" and body:
      """
      {"siteCode":
      """
    Then the response is a 401 problem "unauthorized" naming "Authorization"
    And no transaction was created

  @ATN-S-009
  Scenario: GetTransaction and Cancel need the token too
    When the MPA sends a MobilePayments request
    And the MPA sends "GET" "/api/MobilePayments/GetTransaction/<id>" with the header "Authorization" set to "Bearer nope"
    Then the response is a 401 problem "unauthorized" naming "Authorization"
    When the MPA sends "POST" "/api/MobilePayments/Cancel" with the header "Authorization" set to "Bearer nope" and body:
      """
      {"transactionId":"<id>"}
      """
    Then the response is a 401 problem "unauthorized" naming "Authorization"

  @ATN-S-009
  Scenario: The scheme word is case-insensitive
    When the MPA sends a MobilePayments request with the header "Authorization" set to "bearer atn-test-7f3c9a1e"
    Then the response status is 200
    And exactly 1 transaction was created
