@front_door @correction
Feature: Correcting an answer
  Handlers mishear and callers change their minds. Going back or changing an answer
  re-routes the call from that point, and a changed red-flag answer still escalates.

  Scenario: Going back to a red-flag question and changing the answer to yes escalates
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers "no" to "danger_to_life"
    Then the current step is "abuse_or_neglect"
    When the handler goes back
    Then the current step is "danger_to_life"
    When the handler answers "yes" to "danger_to_life"
    Then the outcome is "front-door:emergency_services_now"

  Scenario: Changing the reason takes the call to the other pathway
    Given a call on the "front-door" pathway with these facts:
      | fact         | value        |
      | caller_type  | unpaid_carer |
      | known_status | not_known    |
      | consent      | agrees       |
    When the handler answers these questions:
      | step                 | answer           |
      | danger_to_life       | no               |
      | abuse_or_neglect     | no               |
      | mental_health_crisis | no               |
      | reason               | needs_assessment |
    Then the current step is "person_date_of_birth"
    When the handler changes the answer to "reason" to "carer_support"
    Then the current step is "carer_breakdown"
    When the handler answers "yes" to "carer_breakdown"
    Then the outcome is "carer-support:carer_breakdown_urgent"

  @escalation
  Scenario: Changing an earlier red-flag answer after the reason still escalates
    Given a call on the "front-door" pathway with these facts:
      | fact         | value         |
      | caller_type  | family_friend |
      | known_status | not_known     |
      | consent      | agrees        |
    When the handler answers these questions:
      | step                 | answer             |
      | danger_to_life       | no                 |
      | abuse_or_neglect     | no                 |
      | mental_health_crisis | no                 |
      | reason               | information_advice |
    Then the current step is "advice_topic"
    When the handler changes the answer to "abuse_or_neglect" to "not_sure"
    Then the current step is "immediate_risk"
    When the handler answers "yes" to "immediate_risk"
    Then the outcome is "safeguarding:emergency_now"
    And the outcome kind is "emergency_services"

  Scenario: Going back inside a reason pathway
    Given a call on the "front-door" pathway with these facts:
      | fact         | value        |
      | caller_type  | self         |
      | known_status | not_known    |
      | reason       | equipment_ot |
    When the handler answers these questions:
      | step                    | answer |
      | danger_to_life          | no     |
      | abuse_or_neglect        | no     |
      | mental_health_crisis    | no     |
      | fall_or_unsafe_transfer | no     |
    Then the current step is "equipment_need"
    When the handler goes back
    Then the current step is "fall_or_unsafe_transfer"
    When the handler answers "yes" to "fall_or_unsafe_transfer"
    Then the outcome is "equipment:urgent_ot_referral"
