@reason
Feature: Referrals from professionals
  Professionals refer through the professionals' portal. It is not an assisted service:
  a professional who cannot use it gives the referral by phone. Urgent risk goes to the
  duty social worker today.

  Scenario Outline: An urgent professional referral goes to duty today (<caller_type>, <answer>)
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                 |
      | caller_type  | <caller_type>         |
      | known_status | not_known             |
      | reason       | professional_referral |
      | consent      | agrees                |
    When the handler answers these questions:
      | step                 | answer   |
      | danger_to_life       | no       |
      | abuse_or_neglect     | no       |
      | mental_health_crisis | no       |
      | referral_urgent      | <answer> |
    Then the outcome is "professional-referral:urgent_duty"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "front-door-duty"
    And the timeframe is "same working day"

    Examples:
      | caller_type         | answer   |
      | gp_community_health | yes      |
      | police_probation    | not_sure |

  Scenario: A referral the person has not agreed to is not taken
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                 |
      | caller_type  | council_housing       |
      | known_status | not_known             |
      | reason       | professional_referral |
      | consent      | does_not_agree        |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | referral_urgent      | no         |
    Then the outcome is "professional-referral:consent_needed"
    And the outcome kind is "no_further_action"
    And the request outcome is "nfa_other"
    And the handler is shown "safeguarding concern"

  @deflection
  Scenario: A GP is directed to the professionals' portal
    Given a call on the "front-door" pathway with these facts:
      | fact         | value               |
      | caller_type  | gp_community_health |
      | known_status | not_known           |
      | reason       | needs_assessment    |
      | consent      | agrees              |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | referral_urgent      | no     |
      | can_use_portal       | yes    |
    Then the outcome is "professional-referral:portal_referral"
    And the outcome kind is "deflect_online"
    And the online service is "professional-portal"
    And the timeframe is "2 working days"
    And the handler is shown "https://portal.example.gov.uk/professional-referral"

  Scenario: A professional who cannot use the portal gives the referral by phone
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                 |
      | caller_type  | other_professional    |
      | known_status | not_known             |
      | reason       | professional_referral |
      | consent      | best_interests        |
    When the handler answers these questions:
      | step                 | answer         |
      | danger_to_life       | no             |
      | abuse_or_neglect     | no             |
      | mental_health_crisis | no             |
      | referral_urgent      | no             |
      | can_use_portal       | no             |
    Then the outcome is "professional-referral:phone_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "front-door-duty"
    And the request outcome is "assessment"
