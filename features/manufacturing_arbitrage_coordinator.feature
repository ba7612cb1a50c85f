Feature: Manufacturing Arbitrage Coordinator

  Scenario: Discover opportunities and spawn workers
    Given 3 idle haulers in the system
    And high-demand opportunities exist:
      | good         | market | price |
      | ELECTRONICS  | X1-A1  | 3000  |
      | MACHINERY    | X1-A2  | 2000  |
    When the coordinator runs one discovery cycle
    Then it should find 2 opportunities
    When the coordinator runs one assignment cycle
    Then it should spawn 2 workers
    And 2 ships should be assigned

  Scenario: Respect max workers limit
    Given 10 idle haulers in the system
    And 10 high-demand opportunities exist
    And max workers is configured as 5
    When the coordinator runs assignment cycles
    Then at most 5 workers should be active at any time

  Scenario: Release ship when worker completes
    Given a worker processing "ELECTRONICS"
    And the ship "AGENT-1" is assigned
    When the worker completes successfully
    Then "AGENT-1" should be released back to idle pool
    And the coordinator should receive the profit result
