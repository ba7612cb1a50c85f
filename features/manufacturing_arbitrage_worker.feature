Feature: Manufacturing Arbitrage Worker

  Scenario: Successfully manufacture and sell for profit
    Given ship "AGENT-1" with 40 cargo capacity
    And a manufacturing opportunity for "MACHINERY" at X1-A1 for 2000 credits
    And "IRON" is available at X1-B1 for 500 credits
    And X1-C1 is a manufacturing waypoint for "MACHINERY"
    When the worker executes
    Then it should acquire "IRON" at X1-B1
    And it should deliver "IRON" to X1-C1
    And it should poll until "MACHINERY" appears
    And it should purchase "MACHINERY"
    And it should navigate to X1-A1
    And it should sell "MACHINERY"
    And the result should show positive profit

  Scenario: Handle production timeout gracefully
    Given ship "AGENT-1" with 40 cargo capacity
    And a manufacturing opportunity for "ADVANCED_CIRCUITRY"
    And inputs have been delivered to manufacturing waypoint
    And the context is cancelled after 30 seconds
    When the worker executes
    Then it should exit gracefully
    And it should release the ship back to idle
    And it should not report an error (context cancellation is expected)
