@reason
Feature: Equipment, occupational therapy and adaptations
  Falls and unsafe transfers, and major adaptations, go to an occupational therapist.
  Small aids and minor adaptations are requested online, or with the handler.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value        |
      | caller_type  | self         |
      | known_status | not_known    |
      | reason       | equipment_ot |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  Scenario Outline: A recent fall or unsafe transfers go to Occupational Therapy soon (<answer>)
    When the handler answers "<answer>" to "fall_or_unsafe_transfer"
    Then the outcome is "equipment:urgent_ot_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "occupational-therapy"
    And the timeframe is "2 working days"

    Examples:
      | answer   |
      | yes      |
      | not_sure |

  Scenario: A major adaptation needs an occupational therapy assessment
    When the handler answers these questions:
      | step                    | answer           |
      | fall_or_unsafe_transfer | no               |
      | equipment_need          | major_adaptation |
    Then the outcome is "equipment:major_adaptation_referral"
    And the outcome team is "occupational-therapy"
    And the timeframe is "10 working days"
    And the request outcome is "assessment"

  @deflection
  Scenario: Small aids are requested online
    When the handler answers these questions:
      | step                    | answer            |
      | fall_or_unsafe_transfer | no                |
      | equipment_need          | daily_living_aids |
      | can_use_online          | yes               |
    Then the outcome is "equipment:equipment_online"
    And the outcome kind is "deflect_online"
    And the online service is "equipment-request"
    And the request outcome is "provision_of_service"

  @deflection @assisted
  Scenario: A minor adaptation is requested with the handler when the caller cannot go online
    When the handler answers these questions:
      | step                    | answer           |
      | fall_or_unsafe_transfer | no               |
      | equipment_need          | minor_adaptation |
      | can_use_online          | no               |
    Then the outcome is "equipment:equipment_assisted"
    And the outcome kind is "deflect_online_assisted"
    And the online service is "equipment-request"
