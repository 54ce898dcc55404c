@deflection
Feature: Deflection online, always with an assisted route
  Straightforward requests are sent online only after the red-flag screen, and a caller
  who cannot go online has the form completed with the handler. Professional and provider
  portals are not assisted: a professional or provider who cannot use them gives the
  details by phone.

  Scenario Outline: A caller who can go online is sent the link (<reason>)
    Given a call on the "front-door" pathway with these facts:
      | fact         | value     |
      | caller_type  | self      |
      | known_status | not_known |
      | reason       | <reason>  |
    When the handler answers these questions:
      | step                 | answer   |
      | danger_to_life       | no       |
      | abuse_or_neglect     | no       |
      | mental_health_crisis | no       |
      | <question>           | <choice> |
      | <online_step>        | yes      |
    Then the outcome kind is "deflect_online"
    And the online service is "<service>"

    Examples:
      | reason                      | question         | choice               | online_step               | service                   |
      | straightforward_application | application_type | blue_badge           | blue_badge_can_use_online | blue-badge                |
      | straightforward_application | application_type | financial_assessment | financial_can_use_online  | financial-assessment-form |
      | complaint                   | feedback_type    | complaint            | can_use_online            | complaints-form           |

  @assisted
  Scenario Outline: A caller who cannot go online is never simply sent away (<reason>)
    Given a call on the "front-door" pathway with these facts:
      | fact         | value     |
      | caller_type  | self      |
      | known_status | not_known |
      | reason       | <reason>  |
    When the handler answers these questions:
      | step                 | answer   |
      | danger_to_life       | no       |
      | abuse_or_neglect     | no       |
      | mental_health_crisis | no       |
      | <question>           | <choice> |
      | <online_step>        | no       |
    Then the outcome kind is "deflect_online_assisted"
    And the online service is "<service>"
    And the handler is shown "fill in the"

    Examples:
      | reason                      | question         | choice               | online_step               | service                   |
      | straightforward_application | application_type | blue_badge           | blue_badge_can_use_online | blue-badge                |
      | straightforward_application | application_type | financial_assessment | financial_can_use_online  | financial-assessment-form |
      | complaint                   | feedback_type    | complaint            | can_use_online            | complaints-form           |

  @assisted
  Scenario: An older caller without internet has the self-assessment completed on the call
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | self             |
      | known_status | not_known        |
      | reason       | needs_assessment |
    When the handler answers these questions:
      | step                 | answer     |
      | danger_to_life       | no         |
      | abuse_or_neglect     | no         |
      | mental_health_crisis | no         |
      | person_date_of_birth | 1936-08-15 |
      | urgent_need          | no         |
      | lost_independence    | no         |
      | complex_needs        | no         |
      | can_use_online       | no         |
    Then the outcome is "needs-assessment:self_assessment_assisted"
    And the outcome kind is "deflect_online_assisted"

  Scenario: A professional who cannot use the portal is not sent away
    Given a call on the "front-door" pathway with these facts:
      | fact         | value            |
      | caller_type  | police_probation |
      | known_status | not_known        |
      | reason       | needs_assessment |
      | consent      | agrees           |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |
      | referral_urgent      | no     |
      | can_use_portal       | no     |
    Then the outcome is "professional-referral:phone_referral"
    And the outcome kind is "team_referral"

  @red_flag
  Scenario: Deflection is only offered after the red-flag screen
    Given a call on the "front-door" pathway with these facts:
      | fact           | value                       |
      | caller_type    | self                        |
      | known_status   | not_known                   |
      | reason         | straightforward_application |
      | can_use_online | yes                         |
    Then the current step is "danger_to_life"
    When the handler answers "no" to "danger_to_life"
    Then the current step is "abuse_or_neglect"
