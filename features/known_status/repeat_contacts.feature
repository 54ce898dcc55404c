@known_status @repeat_contact
Feature: Repeat contacts about the same person
  A person's third contact within 96 hours (the directory's repeat-contact rule) is never
  closed at the front door: whatever the reason, the duty social worker screens it, and
  the handler is told why.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact        | value         |
      | caller_type | family_friend |
      | consent     | agrees        |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  Scenario: A third contact within 96 hours goes to the duty social worker whatever the reason
    Given the person "SYN0000202" had these earlier contacts:
      | hours ago | reason             | outcome           | team |
      | 20        | information_advice | signpost          |      |
      | 70        | information_advice | no_further_action |      |
    When the handler searches for the person with:
      | field         | value      |
      | given_name    | Bert       |
      | family_name   | Fakename   |
      | date_of_birth | 01/07/1950 |
    And the handler confirms the person "SYN0000202"
    And the handler answers "information_advice" to "reason"
    Then the outcome is "front-door:repeat_contact_duty"
    And the outcome team is "front-door-duty"
    And the handler is shown "several times in the last few days"

  Scenario: Two earlier contacts outside the window are not a repeat contact
    Given the person "SYN0000202" had these earlier contacts:
      | hours ago | reason             | outcome  | team |
      | 20        | information_advice | signpost |      |
      | 200       | information_advice | signpost |      |
    When the handler searches for the person with:
      | field         | value      |
      | given_name    | Bert       |
      | family_name   | Fakename   |
      | date_of_birth | 01/07/1950 |
    And the handler confirms the person "SYN0000202"
    And the handler answers "information_advice" to "reason"
    Then the current step is "advice_topic"
