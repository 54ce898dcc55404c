@reason
Feature: Information and advice
  Callers are given information on the call, signposted to community services, or told
  which other service can help.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value              |
      | caller_type  | self               |
      | known_status | not_known          |
      | reason       | information_advice |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  Scenario Outline: Community support and paying for care are signposted to the directory (<topic>)
    When the handler answers "<topic>" to "advice_topic"
    Then the outcome is "information-advice:signpost_directory"
    And the outcome kind is "signpost"
    And the online service is "community-directory"
    And the request outcome is "nfa_information_advice"

    Examples:
      | topic             |
      | community_support |
      | paying_for_care   |

  Scenario: A matter for another service is signposted there
    When the handler answers "other_service" to "advice_topic"
    Then the outcome is "information-advice:signpost_other_service"
    And the outcome kind is "signpost"
    And the contact is not a Client Level Data request

  Scenario: A question answered on the call needs nothing further
    When the handler answers "answered_on_call" to "advice_topic"
    Then the outcome is "information-advice:answered_on_call"
    And the outcome kind is "no_further_action"
    And the timeframe is "immediate"
    And the request outcome is "nfa_information_advice"
