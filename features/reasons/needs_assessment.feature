@reason
Feature: Requests for a care and support needs assessment
  Straightforward requests go to the online self-assessment, completed with the handler
  when the caller cannot go online. Urgent, complex or risky requests go to people.

  Scenario: A person under 18 is referred to children's social care
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | family_friend    |
      | known_status | not_known        |
      | reason       | needs_assessment |
      | consent      | agrees           |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 2015-06-01 |
    Then the outcome is "needs-assessment:under_18"
    And the outcome kind is "signpost"
    And the outcome team is "childrens-services"
    And the contact is not a Client Level Data request

  @escalation
  Scenario: Someone without essential care today goes to the duty social worker
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1950-04-01 |
      | urgent_need          | not_sure   |
    Then the outcome is "needs-assessment:urgent_duty"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "front-door-duty"
    And the timeframe is "same working day"
    And the route of access is "community"
    And the request outcome is "assessment"

  @known_status
  Scenario: A new request for someone with an open case reaches their allocated worker
    Given a call on the "front-door" pathway with these facts:
      | fact             | value            |
      | caller_type      | self             |
      | known_status     | open             |
      | allocated_worker | Sam Example      |
      | reason           | needs_assessment |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | worker_available     | yes    |
    Then the outcome is "existing-client:message_allocated_worker"
    And the outcome kind is "allocated_worker"

  @known_status
  Scenario: A risk-to-staff alert on the record sends a new request to duty
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | family_friend    |
      | known_status | previously_known |
      | alerts       | risk_to_staff    |
      | reason       | needs_assessment |
      | consent      | agrees           |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | needs_today          | no         |
      | care_ending          | no         |
    Then the outcome is "existing-client:duty_alert_review"
    And the outcome team is "front-door-duty"

  Scenario: A recent loss of independence goes to reablement
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | family_friend    |
      | known_status | not_known        |
      | reason       | needs_assessment |
      | consent      | agrees           |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1938-07-09 |
      | urgent_need          | no         |
      | lost_independence    | yes        |
    Then the outcome is "needs-assessment:reablement_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "reablement"
    And the timeframe is "2 working days"
    And the request outcome is "reablement_short_term"

  Scenario: Complex needs in the north go to the North locality team
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | advocate         |
      | known_status | not_known        |
      | reason       | needs_assessment |
      | consent      | agrees           |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1990-01-20 |
      | urgent_need          | no         |
      | lost_independence    | no         |
      | complex_needs        | yes        |
      | locality             | north      |
    Then the outcome is "needs-assessment:locality_north_referral"
    And the outcome team is "locality-north"
    And the timeframe is "5 working days"
    And the request outcome is "assessment"

  Scenario: Not sure whether needs are complex is treated as complex (South)
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1957-05-05 |
      | urgent_need          | no         |
      | lost_independence    | no         |
      | complex_needs        | not_sure   |
      | locality             | south      |
    Then the outcome is "needs-assessment:locality_south_referral"
    And the outcome team is "locality-south"

  @deflection
  Scenario: A straightforward request goes to the online self-assessment
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1949-03-21 |
      | urgent_need          | no         |
      | lost_independence    | no         |
      | complex_needs        | no         |
      | can_use_online       | yes        |
    Then the outcome is "needs-assessment:self_assessment_online"
    And the outcome kind is "deflect_online"
    And the online service is "self-assessment"
    And the timeframe is "5 working days"
    And the handler is shown "https://portal.example.gov.uk/self-assessment"

  @deflection @assisted
  Scenario: A caller who cannot go online has the self-assessment completed with them
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1949-03-21 |
      | urgent_need          | no         |
      | lost_independence    | no         |
      | complex_needs        | no         |
      | can_use_online       | no         |
    Then the outcome is "needs-assessment:self_assessment_assisted"
    And the outcome kind is "deflect_online_assisted"
    And the online service is "self-assessment"
    And the handler is shown "fill in the Online care and support self-assessment for you"
