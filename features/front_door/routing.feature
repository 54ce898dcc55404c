@front_door @reason
Feature: The front door routes by reason, caller type and known status
  After the red-flag screen and the known-to-services check, the reason for the call,
  who is calling and whether the person is known decide which pathway takes over.

  Scenario Outline: A <caller_type> caller asking about <reason> is taken to the right pathway
    Given a call on the "front-door" pathway with these facts:
      | fact         | value          |
      | caller_type  | <caller_type>  |
      | known_status | <known_status> |
      | consent      | agrees         |
    When the handler answers these questions:
      | step                 | answer   |
      | danger_to_life       | no       |
      | abuse_or_neglect     | no       |
      | mental_health_crisis | no       |
    And the handler answers "<reason>" to "reason"
    Then the current step is "<first_step>"
    And the call is still in progress

    Examples:
      | caller_type         | known_status     | reason                      | first_step              |
      | self                | not_known        | needs_assessment            | person_date_of_birth    |
      | family_friend       | not_known        | carer_support               | carer_breakdown         |
      | unpaid_carer        | previously_known | carer_support               | needs_today             |
      | anonymous           | not_known        | safeguarding                | immediate_risk          |
      | hospital            | not_known        | safeguarding                | immediate_risk          |
      | family_friend       | open             | hospital_discharge          | needs_today             |
      | hospital            | not_known        | hospital_discharge          | unsafe_discharge        |
      | self                | not_known        | mental_health_crisis        | crisis_signs            |
      | self                | not_known        | equipment_ot                | fall_or_unsafe_transfer |
      | self                | open             | straightforward_application | application_type        |
      | gp_community_health | not_known        | needs_assessment            | referral_urgent         |
      | hospital            | previously_known | professional_referral       | needs_today             |
      | police_probation    | not_known        | professional_referral       | referral_urgent         |
      | other_professional  | not_known        | equipment_ot                | referral_urgent         |
      | council_housing     | not_known        | carer_support               | referral_urgent         |
      | advocate            | not_known        | professional_referral       | referral_urgent         |
      | gp_community_health | open             | needs_assessment            | needs_today             |
      | care_provider       | open             | care_provider_query         | provider_query          |
      | care_provider       | open             | existing_client             | provider_query          |
      | care_provider       | not_known        | complaint                   | feedback_type           |
      | family_friend       | open             | existing_client             | needs_today             |
      | family_friend       | previously_known | existing_client             | needs_today             |
      | family_friend       | not_known        | existing_client             | person_date_of_birth    |
      | self                | possible_match   | existing_client             | needs_today             |
      | self                | not_known        | information_advice          | advice_topic            |
      | internal            | not_known        | information_advice          | advice_topic            |
      | other               | not_known        | complaint                   | feedback_type           |
