@reason @escalation
Feature: Safeguarding concerns
  Every safeguarding concern is escalated: to the emergency services when the adult is in
  danger now, to the Emergency Duty Team when the office is closed, and otherwise to the
  safeguarding hub (MASH) the same working day.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value         |
      | caller_type  | family_friend |
      | known_status | not_known     |
      | reason       | safeguarding  |
      | consent      | agrees        |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  Scenario: An adult in danger now needs the emergency services
    Then the current step is "immediate_risk"
    When the handler answers "yes" to "immediate_risk"
    Then the outcome is "safeguarding:emergency_now"
    And the outcome kind is "emergency_services"
    And the timeframe is "immediate"
    And the contact is not a Client Level Data request

  Scenario: Not sure whether the adult is in danger now is treated as yes
    When the handler answers "not_sure" to "immediate_risk"
    Then the outcome is "safeguarding:emergency_now"

  Scenario: A concern in office hours goes to MASH the same working day
    When the handler answers these questions:
      | step           | answer       |
      | immediate_risk | no           |
      | concern_type   | self_neglect |
    Then the outcome is "safeguarding:mash_same_day"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "mash"
    And the timeframe is "same working day"
    And the contact is not a Client Level Data request
