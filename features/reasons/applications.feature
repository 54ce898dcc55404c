@reason
Feature: Blue badges, financial assessments and care bills
  Straightforward applications are made online, or completed with the handler when the
  caller cannot go online. Questions about a care bill go to the Financial Assessment Team.

  Background:
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

  @deflection
  Scenario: A blue badge application is made online
    When the handler answers these questions:
      | step                      | answer     |
      | application_type          | blue_badge |
      | blue_badge_can_use_online | yes        |
    Then the outcome is "applications:blue_badge_online"
    And the outcome kind is "deflect_online"
    And the online service is "blue-badge"
    And the contact is not a Client Level Data request

  @deflection @assisted
  Scenario: A blue badge application is completed with the handler
    When the handler answers these questions:
      | step                      | answer     |
      | application_type          | blue_badge |
      | blue_badge_can_use_online | no         |
    Then the outcome is "applications:blue_badge_assisted"
    And the outcome kind is "deflect_online_assisted"
    And the online service is "blue-badge"

  @deflection
  Scenario: A financial assessment is started online
    When the handler answers these questions:
      | step                     | answer               |
      | application_type         | financial_assessment |
      | financial_can_use_online | yes                  |
    Then the outcome is "applications:financial_assessment_online"
    And the outcome kind is "deflect_online"
    And the online service is "financial-assessment-form"
    And the route of access is "community"
    And the request outcome is "financial_assessment"

  @deflection @assisted
  Scenario: A financial assessment is completed with the handler
    When the handler answers these questions:
      | step                     | answer               |
      | application_type         | financial_assessment |
      | financial_can_use_online | no                   |
    Then the outcome is "applications:financial_assessment_assisted"
    And the outcome kind is "deflect_online_assisted"
    And the request outcome is "financial_assessment"

  Scenario: A question about a care bill goes to the Financial Assessment Team
    When the handler answers "care_bill_query" to "application_type"
    Then the outcome is "applications:bill_query_referral"
    And the outcome kind is "team_referral"
    And the outcome team is "financial-assessment"
    And the timeframe is "5 working days"
    And the contact is not a Client Level Data request
