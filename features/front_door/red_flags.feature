@front_door @red_flag
Feature: The red-flag screen comes first for every caller
  Whoever calls, the handler asks the three red-flag questions straight after finding out
  who is calling, before the known-to-services check and before anything that could end
  the call early. "Not sure" counts as "yes", and a "yes" only ever leads to an
  escalation.

  @escalation
  Scenario Outline: Danger to life goes to the emergency services for a <caller_type> caller (<answer>)
    Given a call on the "front-door" pathway
    When the handler answers "<caller_type>" to "caller_type"
    Then the current step is "danger_to_life"
    When the handler answers "<answer>" to "danger_to_life"
    Then the outcome is "front-door:emergency_services_now"
    And the outcome kind is "emergency_services"
    And the timeframe is "immediate"
    And the contact is not a Client Level Data request

    Examples:
      | caller_type         | answer   |
      | self                | yes      |
      | family_friend       | yes      |
      | unpaid_carer        | yes      |
      | advocate            | yes      |
      | anonymous           | yes      |
      | care_provider       | yes      |
      | gp_community_health | yes      |
      | hospital            | yes      |
      | council_housing     | yes      |
      | police_probation    | yes      |
      | other_professional  | yes      |
      | internal            | yes      |
      | other               | yes      |
      | self                | not_sure |
      | family_friend       | not_sure |
      | unpaid_carer        | not_sure |
      | advocate            | not_sure |
      | anonymous           | not_sure |
      | care_provider       | not_sure |
      | gp_community_health | not_sure |
      | hospital            | not_sure |
      | council_housing     | not_sure |
      | police_probation    | not_sure |
      | other_professional  | not_sure |
      | internal            | not_sure |
      | other               | not_sure |

  @escalation
  Scenario Outline: Possible abuse or neglect goes to safeguarding for a <caller_type> caller (<answer>)
    Given a call on the "front-door" pathway
    When the handler answers "<caller_type>" to "caller_type"
    And the handler answers "no" to "danger_to_life"
    And the handler answers "<answer>" to "abuse_or_neglect"
    Then the current step is "immediate_risk"
    And the call is still in progress
    When the handler answers "no" to "immediate_risk"
    And the handler answers "neglect" to "concern_type"
    And the handler answers "lacks_capacity" to "person_aware"
    Then the outcome is "safeguarding:mash_same_day"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "mash"
    And the timeframe is "same working day"

    Examples:
      | caller_type         | answer   |
      | self                | yes      |
      | family_friend       | yes      |
      | unpaid_carer        | yes      |
      | advocate            | yes      |
      | anonymous           | yes      |
      | care_provider       | yes      |
      | gp_community_health | yes      |
      | hospital            | yes      |
      | council_housing     | yes      |
      | police_probation    | yes      |
      | other_professional  | yes      |
      | internal            | yes      |
      | other               | yes      |
      | self                | not_sure |
      | family_friend       | not_sure |
      | unpaid_carer        | not_sure |
      | advocate            | not_sure |
      | anonymous           | not_sure |
      | care_provider       | not_sure |
      | gp_community_health | not_sure |
      | hospital            | not_sure |
      | council_housing     | not_sure |
      | police_probation    | not_sure |
      | other_professional  | not_sure |
      | internal            | not_sure |
      | other               | not_sure |

  @escalation
  Scenario Outline: A mental health crisis goes to crisis response for a <caller_type> caller (<answer>)
    Given a call on the "front-door" pathway
    When the handler answers "<caller_type>" to "caller_type"
    And the handler answers "no" to "danger_to_life"
    And the handler answers "no" to "abuse_or_neglect"
    And the handler answers "<answer>" to "mental_health_crisis"
    Then the outcome is "front-door:crisis_response_now"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "crisis-response"
    And the timeframe is "immediate"

    Examples:
      | caller_type         | answer   |
      | self                | yes      |
      | family_friend       | yes      |
      | unpaid_carer        | yes      |
      | advocate            | yes      |
      | anonymous           | yes      |
      | care_provider       | yes      |
      | gp_community_health | yes      |
      | hospital            | yes      |
      | council_housing     | yes      |
      | police_probation    | yes      |
      | other_professional  | yes      |
      | internal            | yes      |
      | other               | yes      |
      | self                | not_sure |
      | family_friend       | not_sure |
      | unpaid_carer        | not_sure |
      | advocate            | not_sure |
      | anonymous           | not_sure |
      | care_provider       | not_sure |
      | gp_community_health | not_sure |
      | hospital            | not_sure |
      | council_housing     | not_sure |
      | police_probation    | not_sure |
      | other_professional  | not_sure |
      | internal            | not_sure |
      | other               | not_sure |

  Scenario Outline: A <caller_type> caller with no red flags moves on to the known-to-services check
    Given a call on the "front-door" pathway
    When the handler answers these questions:
      | step                 | answer        |
      | caller_type          | <caller_type> |
      | danger_to_life       | no            |
      | abuse_or_neglect     | no            |
      | mental_health_crisis | no            |
    Then the current step is "find_person"
    And the call is still in progress

    Examples:
      | caller_type         |
      | self                |
      | family_friend       |
      | unpaid_carer        |
      | advocate            |
      | anonymous           |
      | care_provider       |
      | gp_community_health |
      | hospital            |
      | council_housing     |
      | police_probation    |
      | other_professional  |
      | internal            |
      | other               |

  Scenario: The red-flag screen is asked before the known-to-services check and the reason
    Given a call on the "front-door" pathway with these facts:
      | fact         | value     |
      | caller_type  | self      |
      | known_status | not_known |
    Then the current step is "danger_to_life"
    And the handler is shown "Is anyone in immediate danger right now"
    When the handler answers "no" to "danger_to_life"
    Then the current step is "abuse_or_neglect"
    And the handler is shown "abused, harmed or neglected"
    When the handler answers "no" to "abuse_or_neglect"
    Then the current step is "mental_health_crisis"
    And the handler is shown "mental health crisis"
    When the handler answers "no" to "mental_health_crisis"
    Then the current step is "reason"

  @escalation
  Scenario: The handler can answer a red flag by the words of the question
    Given a call on the "front-door" pathway with these facts:
      | fact        | value         |
      | caller_type | family_friend |
      | consent     | agrees        |
    When the handler answers "yes" to the question "Is anyone in immediate danger"
    Then the outcome is "front-door:emergency_services_now"
    And the handler is shown "999"
