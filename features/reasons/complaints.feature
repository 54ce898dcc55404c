@reason
Feature: Complaints and compliments
  Complaints are made on the online form, or taken on the call when the caller cannot go
  online. Compliments are recorded. None of these is a Client Level Data request.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value         |
      | caller_type  | family_friend |
      | known_status | open          |
      | reason       | complaint     |
      | consent      | agrees        |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  @deflection
  Scenario: A complaint is made on the online form
    When the handler answers these questions:
      | step           | answer    |
      | feedback_type  | complaint |
      | can_use_online | yes       |
    Then the outcome is "complaints:complaint_online"
    And the outcome kind is "deflect_online"
    And the online service is "complaints-form"
    And the timeframe is "3 working days"
    And the contact is not a Client Level Data request

  @deflection @assisted
  Scenario: A complaint is taken on the call when the caller cannot go online
    When the handler answers these questions:
      | step           | answer    |
      | feedback_type  | complaint |
      | can_use_online | no        |
    Then the outcome is "complaints:complaint_assisted"
    And the outcome kind is "deflect_online_assisted"
    And the online service is "complaints-form"
    And the contact is not a Client Level Data request

  Scenario: A compliment is recorded
    When the handler answers "compliment" to "feedback_type"
    Then the outcome is "complaints:compliment_recorded"
    And the outcome kind is "no_further_action"
    And the contact is not a Client Level Data request
