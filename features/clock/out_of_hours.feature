@clock @escalation
Feature: In hours and out of hours come from the clock
  Whether the office is open is worked out from the council's opening hours in the
  directory, English bank holidays and local closures; the handler is never asked. Urgent
  work for a team that keeps office hours goes to the Emergency Duty Team when the office
  is closed, and due times count only the hours the office is open.

  Scenario: A safeguarding concern on a Saturday evening goes to the Emergency Duty Team
    Given the time is "2026-12-05 18:30"
    And a call on the "front-door" pathway with these facts:
      | fact         | value         |
      | caller_type  | family_friend |
      | known_status | not_known     |
      | reason       | safeguarding  |
      | consent      | agrees        |
    When the handler answers these questions:
      | step                 | answer                  |
      | danger_to_life       | no                      |
      | abuse_or_neglect     | no                      |
      | mental_health_crisis | no                      |
      | immediate_risk       | no                      |
      | concern_type         | financial,psychological |
    Then the outcome is "safeguarding:emergency_duty_team"
    And the outcome team is "emergency-duty-team"
    And the timeframe is "4 hours"
    And the response is due at "2026-12-05 22:30"
    And the call was routed out of hours

  Scenario: The same concern on a weekday morning goes to MASH, due that afternoon
    Given the time is "2026-12-02 10:30"
    And a call on the "front-door" pathway with these facts:
      | fact         | value         |
      | caller_type  | family_friend |
      | known_status | not_known     |
      | reason       | safeguarding  |
      | consent      | agrees        |
    When the handler answers these questions:
      | step                 | answer       |
      | danger_to_life       | no           |
      | abuse_or_neglect     | no           |
      | mental_health_crisis | no           |
      | immediate_risk       | no           |
      | concern_type         | self_neglect |
    Then the outcome is "safeguarding:mash_same_day"
    And the response is due at "2026-12-02 17:00"
    And the call was routed in hours

  Scenario: An urgent need on a bank holiday goes to the Emergency Duty Team
    Given the time is "2026-12-25 11:00"
    And a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1948-03-21 |
      | urgent_need          | yes        |
    Then the outcome is "out-of-hours:emergency_duty_team"
    And the call was routed out of hours
