@known_status
Feature: Routing by whether the person is known to adult social care
  A call about someone with an open case goes to their allocated worker, or to the duty
  social worker when the worker is away, the matter is urgent, or the record carries an
  alert. Someone previously known is re-referred to their locality team. When no record
  is found, the call is taken as a new request.

  Scenario: The handler confirms the person is not known and moves on to the reason
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    Then the current step is "find_person"
    When the handler confirms the person is not known
    Then the current step is "reason"

  Scenario: Asking about an existing client who is not known is taken as a new request
    Given a call on the "front-door" pathway with these facts:
      | fact        | value         |
      | caller_type | family_friend |
      | consent     | agrees        |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    And the handler confirms the person is not known
    And the handler answers "existing_client" to "reason"
    Then the current step is "person_date_of_birth"

  Scenario: A possible match that cannot be confirmed is settled by duty, not sent online
    Given a call on the "front-door" pathway with these facts:
      | fact         | value           |
      | caller_type  | self            |
      | known_status | possible_match  |
      | reason       | existing_client |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
    Then the outcome is "existing-client:settle_match"
    And the outcome team is "front-door-duty"
    And the handler is given the guidance "Do not choose a record you are not sure of"

  @escalation
  Scenario: Something needing action today for a known person goes to duty
    Given a call on the "front-door" pathway with these facts:
      | fact             | value           |
      | caller_type      | family_friend   |
      | known_status     | open            |
      | allocated_worker | Sam Example     |
      | allocated_team   | Locality North  |
      | reason           | existing_client |
      | consent          | agrees          |
    When the handler answers these questions:
      | step                 | answer   |
      | danger_to_life       | no       |
      | abuse_or_neglect     | no       |
      | mental_health_crisis | no       |
      | needs_today          | not_sure |
    Then the outcome is "existing-client:duty_urgent"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "front-door-duty"
    And the timeframe is "same working day"

  Scenario Outline: A record with a <alert> alert goes to duty rather than the worker
    Given a call on the "front-door" pathway with these facts:
      | fact             | value           |
      | caller_type      | self            |
      | known_status     | open            |
      | allocated_worker | Sam Example     |
      | alerts           | <alert>         |
      | reason           | existing_client |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
    Then the outcome is "existing-client:duty_alert_review"
    And the outcome kind is "team_referral"
    And the outcome team is "front-door-duty"
    And the timeframe is "next working day"

    Examples:
      | alert                             |
      | safeguarding                      |
      | risk_to_staff                     |
      | communication_needs,risk_to_staff |

  Scenario: An open case with the worker at work goes to the allocated worker
    Given a call on the "front-door" pathway with these facts:
      | fact             | value           |
      | caller_type      | family_friend   |
      | known_status     | open            |
      | allocated_worker | Sam Example     |
      | allocated_team   | Locality North  |
      | reason           | existing_client |
      | consent          | agrees          |
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
    And the timeframe is "2 working days"

  Scenario: A communication-needs alert alone does not stop the message to the worker
    Given a call on the "front-door" pathway with these facts:
      | fact             | value               |
      | caller_type      | self                |
      | known_status     | open                |
      | allocated_worker | Sam Example         |
      | alerts           | communication_needs |
      | reason           | existing_client     |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
    Then the current step is "worker_available"

  Scenario: An open case with the worker away goes to team duty
    Given a call on the "front-door" pathway with these facts:
      | fact         | value           |
      | caller_type  | unpaid_carer    |
      | known_status | open            |
      | reason       | existing_client |
      | consent      | agrees          |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | worker_available     | no     |
    Then the outcome is "existing-client:duty_worker_away"
    And the outcome kind is "team_referral"
    And the outcome team is "front-door-duty"
    And the timeframe is "next working day"

  Scenario: A GP calling about someone with an open case reaches the allocated worker
    Given a call on the "front-door" pathway with these facts:
      | fact             | value               |
      | caller_type      | gp_community_health |
      | known_status     | open                |
      | allocated_worker | Sam Example         |
      | reason           | needs_assessment    |
      | consent          | agrees              |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | worker_available     | yes    |
    Then the outcome is "existing-client:message_allocated_worker"

  Scenario: Someone previously known in the north is re-referred to the North locality team
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | previously_known |
      | reason       | existing_client  |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | locality             | north  |
    Then the outcome is "existing-client:rereferral_north"
    And the outcome kind is "team_referral"
    And the outcome team is "locality-north"
    And the timeframe is "5 working days"
    And the route of access is "community"
    And the request outcome is "assessment"

  Scenario: Someone previously known in the south is re-referred to the South locality team
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | family_friend    |
      | known_status | previously_known |
      | reason       | existing_client  |
      | consent      | agrees           |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | locality             | south  |
    Then the outcome is "existing-client:rereferral_south"
    And the outcome team is "locality-south"
