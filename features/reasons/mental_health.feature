@reason
Feature: Mental health support
  Signs of crisis still go to crisis response now. People under a mental health team go
  to that team; people at risk of admission are offered short-term step-up support;
  others are signposted.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                |
      | caller_type  | family_friend        |
      | known_status | not_known            |
      | reason       | mental_health_crisis |
      | consent      | agrees               |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  @escalation
  Scenario Outline: Signs of crisis go to crisis response now (<answer>)
    When the handler answers "<answer>" to "crisis_signs"
    Then the outcome is "mental-health:crisis_response_now"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "crisis-response"
    And the timeframe is "immediate"

    Examples:
      | answer   |
      | yes      |
      | not_sure |

  Scenario: Someone under a community mental health team goes to that team
    When the handler answers these questions:
      | step                     | answer |
      | crisis_signs             | no     |
      | under_mental_health_team | yes    |
    Then the outcome is "mental-health:cmht_message"
    And the outcome team is "community-mental-health"
    And the timeframe is "next working day"

  Scenario: Someone at risk of admission is referred for step-up support
    When the handler answers these questions:
      | step                     | answer   |
      | crisis_signs             | no       |
      | under_mental_health_team | no       |
      | admission_risk           | not_sure |
    Then the outcome is "mental-health:step_up_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "mental-health-step-up"
    And the request outcome is "reablement_short_term"

  Scenario: Otherwise the caller is signposted to wellbeing support
    When the handler answers these questions:
      | step                     | answer |
      | crisis_signs             | no     |
      | under_mental_health_team | no     |
      | admission_risk           | no     |
    Then the outcome is "mental-health:wellbeing_signpost"
    And the outcome kind is "signpost"
    And the request outcome is "nfa_information_advice"
    And the handler is shown "999"
