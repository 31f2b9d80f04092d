@server @needs-control @needs-virtual-time
Feature: ATIONet timeouts in state 7

  T_site (180 s) ends an authorized fuel point nobody uses; with T_site off, T_mppa (300 s)
  does (spec 4.4).

  @ATN-S-013
  Scenario: Without BeginFueling, state 7 reaches 14 at 180 s
    Given the driver never lifts the nozzle
    When the MPA sends a MobilePayments request
    And the clock runs until the transaction is in state 7
    And 179 seconds pass
    Then the transaction is in state 7 "Fuel Point Authorized"
    When 2 seconds pass
    Then the transaction is in state 14 "Canceled By Site System"
    When the MPA cancels the transaction
    Then the cancel answer is "04001"

  @ATN-S-013
  Scenario: With T_site off, state 7 reaches 19 at 300 s
    Given the driver never lifts the nozzle
    And the site's preauthorization timeout is off
    When the MPA sends a MobilePayments request
    And the clock runs until the transaction is in state 7
    And 299 seconds pass
    Then the transaction is in state 7 "Fuel Point Authorized"
    When 2 seconds pass
    Then the transaction is in state 19 "Cancelled By MPPA"
    And the site received exactly 1 Deauthorize command
    When the MPA cancels the transaction
    Then the cancel answer is "04001"
