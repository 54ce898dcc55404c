@front_door @validation
Feature: Answers that do not fit are rejected
  A rejected answer is explained to the handler and leaves the call as it was.

  Scenario: A red-flag question only accepts yes, no or not sure
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    Then the answer "maybe" to "danger_to_life" is rejected with "not one of"
    And the current step is "danger_to_life"
    And the call is still in progress

  Scenario: A caller type that is not on the list is rejected
    Given a call on the "front-door" pathway
    Then the answer "doctor" to "caller_type" is rejected with "not one of"
    And the current step is "caller_type"

  Scenario: A date of birth in the future is rejected
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    Then the answer "2999-01-01" to "person_date_of_birth" is rejected with "in the future"
    And the current step is "person_date_of_birth"

  Scenario: A choice inside a reason pathway must be one of its options
    Given a call on the "front-door" pathway with these facts:
      | fact         | value                       |
      | caller_type  | self                        |
      | known_status | not_known                   |
      | reason       | straightforward_application |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
    Then the answer "parking_permit" to "application_type" is rejected with "not one of"
    And the current step is "application_type"
