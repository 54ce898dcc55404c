"""What the front door did, for managers and supervisors: report figures computed from
the contact records (on the reports database, a read replica where one is set), the
statutory Client Level Data return, and the pages that show them."""
