@reason
Feature: Calls from contracted care providers
  Providers send package changes, invoices and incident notifications through the
  provider portal, or give them by phone when they cannot use it. Harm or risk of abuse
  is a safeguarding concern; a package about to break down is escalated today.

  Background:
    Given a call on the "front-door" pathway with these facts:
      | fact         | value               |
      | caller_type  | care_provider       |
      | known_status | open                |
      | reason       | care_provider_query |
      | consent      | agrees              |
    When the handler answers these questions:
      | step                 | answer |
      | danger_to_life       | no     |
      | abuse_or_neglect     | no     |
      | mental_health_crisis | no     |

  @escalation
  Scenario: An incident with harm becomes a safeguarding concern
    When the handler answers these questions:
      | step           | answer         |
      | provider_query | incident       |
      | harm_or_risk   | not_sure       |
    Then the current step is "immediate_risk"
    When the handler answers these questions:
      | step           | answer         |
      | immediate_risk | no             |
      | concern_type   | organisational |
    Then the outcome is "safeguarding:mash_same_day"
    And the outcome team is "mash"

  @escalation
  Scenario: A package about to break down is escalated to duty today
    When the handler answers these questions:
      | step            | answer         |
      | provider_query  | package_change |
      | package_at_risk | yes            |
    Then the outcome is "care-provider:breakdown_urgent"
    And the outcome kind is "urgent_escalation"
    And the outcome team is "front-door-duty"
    And the timeframe is "same working day"

  @deflection
  Scenario: A package change goes through the provider portal
    When the handler answers these questions:
      | step            | answer         |
      | provider_query  | package_change |
      | package_at_risk | no             |
      | package_portal  | yes            |
    Then the outcome is "care-provider:package_change_portal"
    And the outcome kind is "deflect_online"
    And the online service is "provider-portal"
    And the request outcome is "provision_of_service"

  Scenario: A package change is taken by phone when the provider cannot use the portal
    When the handler answers these questions:
      | step            | answer         |
      | provider_query  | package_change |
      | package_at_risk | no             |
      | package_portal  | no             |
    Then the outcome is "care-provider:package_change_phone"
    And the outcome kind is "team_referral"
    And the outcome team is "brokerage"

  @deflection
  Scenario: An invoice goes through the provider portal
    When the handler answers these questions:
      | step           | answer  |
      | provider_query | invoice |
      | invoice_portal | yes     |
    Then the outcome is "care-provider:invoice_via_portal"
    And the outcome kind is "deflect_online"
    And the online service is "provider-portal"
    And the contact is not a Client Level Data request

  Scenario: An invoice query is taken by phone when the provider cannot use the portal
    When the handler answers these questions:
      | step           | answer  |
      | provider_query | invoice |
      | invoice_portal | no      |
    Then the outcome is "care-provider:invoice_phone"
    And the outcome team is "provider-payments"
    And the timeframe is "10 working days"
    And the contact is not a Client Level Data request

  @deflection
  Scenario: An incident without harm is notified through the provider portal
    When the handler answers these questions:
      | step            | answer   |
      | provider_query  | incident |
      | harm_or_risk    | no       |
      | package_at_risk | no       |
      | incident_portal | yes      |
    Then the outcome is "care-provider:incident_notification_portal"
    And the outcome kind is "deflect_online"
    And the online service is "provider-portal"

  Scenario: An incident without harm is taken by phone when the provider cannot use the portal
    When the handler answers these questions:
      | step            | answer   |
      | provider_query  | incident |
      | harm_or_risk    | no       |
      | package_at_risk | no       |
      | incident_portal | no       |
    Then the outcome is "care-provider:incident_phone"
    And the outcome kind is "team_referral"
    And the outcome team is "front-door-duty"
    And the timeframe is "2 working days"
