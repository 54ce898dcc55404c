@front_door
Feature: Opening the call
  The handler greets the caller by the front door's name, gives the data-protection
  statement, and asks who is calling.

  Scenario: The greeting names the front door and the data-protection statement is read
    Given a call on the "front-door" pathway
    Then the handler is shown "Social Care Direct"
    And the handler is shown "secure records"
    And the call is still in progress

  Scenario: The first question is who is calling
    Given a call on the "front-door" pathway
    Then the current step is "caller_type"
    And the handler is shown "who is calling"

  @welsh
  Scenario: The greeting and data-protection statement are read in Welsh
    Given a call on the "front-door" pathway
    And the call is in "cy"
    Then the handler is shown "gofal cymdeithasol oedolion"
    And the handler is shown "cofnodion diogel"

  @welsh
  Scenario: Words with no Welsh version fall back to English
    Given a call on the "front-door" pathway with these facts:
      | fact        | value |
      | caller_type | self  |
    And the call is in "cy"
    Then the current step is "danger_to_life"
    And the handler is shown "Is anyone in immediate danger right now"
