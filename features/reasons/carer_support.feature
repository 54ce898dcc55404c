@reason
Feature: Carer's support and carer's assessment
  A caring arrangement about to break down is escalated the same working day. Otherwise
  the carer can start a carer's assessment online (or with the handler), ask for a break
  or an emergency plan, or be given information.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value         |
      | caller_type  | unpaid_carer  |
      | known_status | not_known     |
      | reason       | carer_support |
      | consent      | agrees        |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  @red_flag @escalation
  Scenario Outline: A caring arrangement breaking down is escalated today (<answer>)
    When the handler answers "<answer>" to "carer_breakdown"
    Then the outcome is "carer-support:carer_breakdown_urgent"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "front-door-duty"
    And the timeframe is "same working day"

    Examples:
      | answer   |
      | yes      |
      | not_sure |

  @deflection
  Scenario: A carer who can go online is sent the carer's self-assessment
    When the handler answers these questions:
      | step            | answer            |
      | carer_breakdown | no                |
      | carer_request   | carers_assessment |
      | can_use_online  | yes               |
    Then the outcome is "carer-support:carers_assessment_online"
    And the outcome kind is "deflect_online"
    And the online service is "carers-self-assessment"
    And the timeframe is "10 working days"

  @deflection @assisted
  Scenario: A carer who cannot go online has the carer's assessment completed with them
    When the handler answers these questions:
      | step            | answer            |
      | carer_breakdown | no                |
      | carer_request   | carers_assessment |
      | can_use_online  | no                |
    Then the outcome is "carer-support:carers_assessment_assisted"
    And the outcome kind is "deflect_online_assisted"
    And the online service is "carers-self-assessment"

  Scenario: A break from caring or an emergency plan goes to the Carers Support Team
    When the handler answers these questions:
      | step            | answer        |
      | carer_breakdown | no            |
      | carer_request   | break_or_plan |
    Then the outcome is "carer-support:carers_team_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "carers-support"
    And the request outcome is "provision_of_service"

  Scenario: A carer who wants information is signposted
    When the handler answers these questions:
      | step            | answer      |
      | carer_breakdown | no          |
      | carer_request   | information |
    Then the outcome is "carer-support:carer_information"
    And the outcome kind is "signpost"
    And the request outcome is "nfa_information_advice"
