@known_status
Feature: What is known shapes every route, whatever the reason
  Found with `triage matrix front-door --by caller_type,reason,known_status`: an open case
  reaches the allocated worker or team, someone known before is a re-referral (never a new
  person), and a possible match is settled by duty, whatever reason the caller gives. Only
  a concern about harm (safeguarding), advice, a complaint, a straightforward application
  and a care provider's own query go on by reason, the same for anyone.

  Scenario: A carer asking for carer support for someone with an open case reaches the worker
    Given a call on the "front-door" pathway with these facts:
      | fact             | value         |
      | caller_type      | unpaid_carer  |
      | known_status     | open          |
      | allocated_worker | Sam Example   |
      | reason           | carer_support |
      | consent          | agrees        |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | worker_available     | yes    |
    Then the outcome is "existing-client:message_allocated_worker"

  Scenario: Equipment for someone known before is a re-referral, not a new online request
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | previously_known |
      | reason       | equipment_ot     |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
      | locality             | north  |
    Then the outcome is "existing-client:rereferral_north"
    And the outcome team is "locality-north"

  Scenario: A possible match calling about mental health support is settled by duty first
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                |
      | caller_type  | self                 |
      | known_status | possible_match       |
      | reason       | mental_health_crisis |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | no     |
    Then the outcome is "existing-client:settle_match"

  Scenario: A blue badge is the same online application whoever the person is
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                       |
      | caller_type  | self                        |
      | known_status | open                        |
      | reason       | straightforward_application |
    When the handler answers these questions:
      | step                      | answer     |
      | danger_to_life            | no         |
      | abuse_or_neglect          | no         |
      | mental_health_crisis      | no         |
      | application_type          | blue_badge |
      | blue_badge_can_use_online | yes        |
    Then the outcome is "applications:blue_badge_online"

  @escalation
  Scenario: Home care ending tomorrow for a known person goes to duty today
    Given a call on the "front-door" pathway with these facts:
      | fact         | value           |
      | caller_type  | family_friend   |
      | known_status | open            |
      | reason       | existing_client |
      | consent      | agrees          |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | needs_today          | no     |
      | care_ending          | yes    |
    Then the outcome is "existing-client:duty_urgent"
    And the timeframe is "same working day"

  @escalation
  Scenario: A discharge tomorrow is passed to the discharge team today
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | hospital           |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer       |
      | danger_to_life       | no           |
      | abuse_or_neglect     | no           |
      | mental_health_crisis | no           |
      | unsafe_discharge     | no           |
      | still_in_hospital    | yes          |
      | discharge_when       | within_a_day |
    Then the outcome is "hospital-discharge:discharge_urgent"
    And the outcome team is "hospital-discharge"
    And the response is due at "2026-12-02 17:00"

  @escalation @clock
  Scenario: A discharge tomorrow reported on a Sunday goes to the Emergency Duty Team
    Given the time is "2026-12-06 14:00"
    And a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | family_friend      |
      | known_status | not_known          |
      | reason       | hospital_discharge |
      | consent      | agrees             |
    When the handler answers these questions:
      | step                 | answer       |
      | danger_to_life       | no           |
      | abuse_or_neglect     | no           |
      | mental_health_crisis | no           |
      | unsafe_discharge     | no           |
      | still_in_hospital    | yes          |
      | discharge_when       | within_a_day |
    Then the outcome is "out-of-hours:emergency_duty_team"
    And the outcome team is "emergency-duty-team"

  @consent
  Scenario: When someone else calls, the person's consent is asked and recorded
    Given a call on the "front-door" pathway with these facts:
      | fact        | value         |
      | caller_type | family_friend |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    And the handler confirms the person is not known
    Then the current step is "consent"
    And the handler is given the guidance "does not need the person's agreement"
    When the handler answers "not_aware" to "consent"
    Then the current step is "reason"
    And the consent recorded is "not_aware"

  @consent
  Scenario: The person calling for themselves is not asked for consent
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    And the handler confirms the person is not known
    Then the current step is "reason"
    And the consent recorded is "none"

  @consent @escalation
  Scenario: A safeguarding concern goes ahead when the person does not agree
    Given a call on the "front-door" pathway with these facts:
      | fact         | value          |
      | caller_type  | family_friend  |
      | known_status | not_known      |
      | reason       | safeguarding   |
      | consent      | does_not_agree |
    When the handler answers these questions:
      | step                 | answer  |
      | danger_to_life       | no      |
      | abuse_or_neglect     | no      |
      | mental_health_crisis | no      |
      | immediate_risk       | no      |
      | concern_type         | neglect |
    Then the outcome is "safeguarding:mash_same_day"
    And the consent recorded is "does_not_agree"

  @guidance
  Scenario: The person check's instruction is guidance, not words to read
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    Then the current step is "find_person"
    And the handler is not asked to read "never read out details from a record"
    And the handler is given the guidance "never read out details from a record"
