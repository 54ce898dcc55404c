@wrap_up
Feature: The wrap-up after an outcome
  Reaching an outcome does not end the call: the outcome is fixed, and the handler can do
  the person check (after an escalation), record a further need, or correct an answer,
  until they finish the call.

  @escalation
  Scenario: After an escalation at the red-flag screen the person check is asked in the wrap-up
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers "yes" to "danger_to_life"
    Then the outcome is "front-door:emergency_services_now"
    And the call is in the wrap-up
    And the person check is still to do
    When the handler tries to finish the call
    Then it was refused with "give the reason it cannot be done"
    When the handler searches for the person with:
      | field         | value      |
      | given_name    | Edie       |
      | family_name   | Dummy      |
      | date_of_birth | 09/09/1945 |
    And the handler confirms the person "SYN0000205"
    Then the person is known as "open"
    And the outcome is "front-door:emergency_services_now"

  @escalation
  Scenario: A call can finish without the person check only with a reason, which is flagged
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers "yes" to "danger_to_life"
    And the handler finishes the call without the person check because "the caller would not say"
    Then the record is flagged "finished_without_person_check"

  Scenario: A caller with a second need does not have to choose
    Given a call on the "front-door" pathway with these facts:
      | fact         | value        |
      | caller_type  | unpaid_carer |
      | known_status | not_known    |
      | consent      | agrees       |
    When the handler answers these questions:
      | step                 | answer             |
      | danger_to_life       | no                 |
      | abuse_or_neglect     | no                 |
      | mental_health_crisis | no                 |
      | reason               | information_advice |
      | advice_topic         | community_support  |
    Then the call is in the wrap-up
    When the handler adds a further need
    Then the current step is "reason"
    When the handler answers "complaint" to "reason"
    Then the call is still in progress

  @escalation @correction
  Scenario: A red-flag answer changed after an escalation needs a reason and is flagged
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    When the handler answers "yes" to "danger_to_life"
    And the handler tries to change the answer to "danger_to_life" to "no"
    Then it was refused with "needs a reason"
    And the outcome is "front-door:emergency_services_now"
    When the handler changes the answer to "danger_to_life" to "no" because "misheard: nobody is in danger"
    Then the current step is "abuse_or_neglect"
    And the record is flagged "red_flag_changed_after_escalation"
