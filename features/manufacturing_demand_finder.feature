Feature: Manufacturing Demand Finder

  Scenario: Find high-demand manufacturable goods
    Given market X1-A1 imports "ELECTRONICS" at 3000 credits
    And market X1-A2 imports "FUEL" at 100 credits
    And market X1-A3 imports "ADVANCED_CIRCUITRY" at 8000 credits
    And "ELECTRONICS" is in the supply chain map
    And "ADVANCED_CIRCUITRY" is in the supply chain map
    And "FUEL" is NOT in the supply chain map
    When I find high-demand manufacturables with min price 1000
    Then I should get 2 opportunities
    And the first opportunity should be "ADVANCED_CIRCUITRY" at 8000 credits
    And the second opportunity should be "ELECTRONICS" at 3000 credits
    And "FUEL" should not be included (not manufacturable)

  Scenario: No opportunities when prices too low
    Given market X1-A1 imports "ELECTRONICS" at 500 credits
    And "ELECTRONICS" is in the supply chain map
    When I find high-demand manufacturables with min price 1000
    Then I should get 0 opportunities

  Scenario: Build dependency tree for opportunity
    Given market X1-A1 imports "MACHINERY" at 2000 credits
    And "MACHINERY" requires ["IRON"]
    And "IRON" is available at X1-B1
    When I find high-demand manufacturables
    Then the "MACHINERY" opportunity should have a dependency tree
    And the tree should have depth 1
    And the tree root should be "MACHINERY" with method FABRICATE
    And the tree should have child "IRON" with method BUY
