@server @needs-control @needs-virtual-time
Feature: ATIONet pumps and grades

  Reserve needs an Idle pump; Authorize needs the grade on the pump (spec 4.3, D14).

  @ATN-S-021
  Scenario Outline: A pump that cannot be reserved gives state 6 with the site's text
    Given the site "1524" has pump 2 <condition>
    When the MPA sends a MobilePayments request with:
      | field      | value |
      | pumpNumber | 2     |
    Then the response status is 200
    And the transaction reaches state 6 "Site System not Accept Pump Reserve"
    And the transaction's "siteSystemMessage" is "<text>"
    When the MPA cancels the transaction
    Then the cancel answer is "-10000"
    And the transaction is in state 6 "Site System not Accept Pump Reserve"

    Examples:
      | id      | condition | text                                  |
      | busy    | busy      | Fueling Position in use               |
      | offline | offline   | Fueling Position inaccessible/offline |

  @ATN-S-021
  Scenario: An unknown pump gives state 6
    When the MPA sends a MobilePayments request with:
      | field      | value |
      | pumpNumber | 7     |
    Then the response status is 200
    And the transaction reaches state 6 "Site System not Accept Pump Reserve"
    And the transaction's "siteSystemMessage" is "Unknown POS or Fueling Position"

  @ATN-S-021
  Scenario: A pump taken offline through the control API gives state 6
    When pump 3 goes offline
    And the MPA sends a MobilePayments request with:
      | field      | value |
      | pumpNumber | 3     |
    Then the transaction reaches state 6 "Site System not Accept Pump Reserve"
    And the transaction's "siteSystemMessage" is "Fueling Position inaccessible/offline"

  @ATN-S-011
  Scenario: An unknown grade ends in 8
    When the MPA sends a MobilePayments request with:
      | field    | value |
      | fuelCode | "9"   |
    Then the response status is 200
    And the transaction reaches state 8 "Canceled By Fuel Point"
    And the transaction's "siteSystemMessage" is "Product not available on fuel point"

  @ATN-S-011
  Scenario: A pump without the grade ends in 8
    Given pump 2 of site "1524" only carries grades "1,2"
    When the MPA sends a MobilePayments request with:
      | field      | value |
      | pumpNumber | 2     |
    Then the transaction reaches state 8 "Canceled By Fuel Point"
    And the transaction's "siteSystemMessage" is "Product not available on fuel point"
