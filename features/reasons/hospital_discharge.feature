@reason
Feature: Hospital discharge
  Ward staff refer through the professionals' portal (or by phone when they cannot use
  it); relatives go to the Hospital Discharge Team; people already home go to reablement;
  an unsafe discharge is escalated the same working day.

  @red_flag @escalation
  Scenario Outline: An unsafe discharge is escalated today (<caller_type>, <answer>)
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | <caller_type>      |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer   |
      | danger_to_life       | no       |
      | abuse_or_neglect     | no       |
      | mental_health_crisis | no       |
      | unsafe_discharge     | <answer> |
    Then the outcome is "hospital-discharge:unsafe_discharge_urgent"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "hospital-discharge"
    And the timeframe is "same working day"
    And the route of access is "discharge_from_hospital"

    Examples:
      | caller_type   | answer   |
      | family_friend | yes      |
      | hospital      | not_sure |

  Scenario: Someone already home and safe today is referred for reablement
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | family_friend      |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | unsafe_discharge     | no     |
      | still_in_hospital    | no     |
    Then the outcome is "hospital-discharge:home_reablement_referral"
    And the outcome team is "reablement"
    And the timeframe is "2 working days"
    And the route of access is "discharge_from_hospital"
    And the request outcome is "reablement_short_term"

  @deflection
  Scenario: Ward staff are directed to the professionals' portal
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | hospital           |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | unsafe_discharge     | no     |
      | still_in_hospital    | yes    |
      | discharge_when       | later  |
      | ward_can_use_portal  | yes    |
    Then the outcome is "hospital-discharge:ward_portal_referral"
    And the outcome kind is "deflect_online"
    And the online service is "professional-portal"
    And the route of access is "discharge_from_hospital"

  Scenario: Ward staff who cannot use the portal give the referral by phone
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | hospital           |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | unsafe_discharge     | no     |
      | still_in_hospital    | yes    |
      | discharge_when       | later  |
      | ward_can_use_portal  | no     |
    Then the outcome is "hospital-discharge:ward_phone_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "hospital-discharge"
    And the timeframe is "2 working days"

  Scenario: A relative of someone still in hospital is passed to the Hospital Discharge Team
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | family_friend      |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | unsafe_discharge     | no     |
      | still_in_hospital    | yes    |
      | discharge_when       | later  |
    Then the outcome is "hospital-discharge:discharge_team_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "hospital-discharge"
    And the timeframe is "2 working days"
    And the route of access is "discharge_from_hospital"
    And the request outcome is "assessment"
