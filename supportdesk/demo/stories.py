"""What the demo's tickets say: the issues a backup and disaster-recovery
vendor's desk sees, and the lines people write about them.

Texts are `str.format` templates; the fields come from the ticket being
played (`{device}`, `{os}`, `{version}`, `{company}`, `{product}`,
`{customer}`, `{engineer}`, `{contact}`, `{account}`, `{invoice}`,
`{partner}`). Products are named by the demo's roles (`backup`, `app`, `dr`,
`bdr`), which `build.py` maps to the policy's product slugs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    key: str
    products: tuple[str, ...]  # demo product roles this issue is about
    category: str  # a support category slug, or "" when the customer chose none
    severities: tuple[tuple[int, int], ...]  # (severity, weight)
    subject: str
    body: str
    reply: str  # the first response
    customer: str  # the customer's answer to it
    followup: str  # the engineer's next step
    resolution: str
    note: str = ""  # an internal note, when the issue has its own


ISSUES: tuple[Issue, ...] = (
    Issue(
        "vss",
        ("backup", "bdr"),
        "agent-installation",
        ((2, 1), (3, 5)),
        "Backup of {device} fails with VSS error 0x800423F4",
        "Hi,\n\nsince {weekday} night the scheduled backup of {device} ({os}) ends with "
        '"VSS writer failed: 0x800423F4 (non-retryable error)". The other devices in the '
        "account back up fine. Agent version {version}. We rebooted the server once, no change.\n\n"
        "Can you take a look?\n\n{customer}",
        "Hello {customer},\n\nthanks for the details. 0x800423F4 means one of the VSS writers on "
        "{device} is in a failed state, so the snapshot is refused before any data is read. "
        "Could you run `vssadmin list writers` in an elevated prompt and send us the output, "
        "together with the agent logs (Backup and Recovery Manager > Help > Send logs)?\n\n"
        "Best regards,\n{engineer}",
        "Output attached. SqlServerWriter shows State: [8] Failed, Last error: Non-retryable "
        "error. Logs sent from the agent a minute ago.",
        "Thanks. The SQL Server VSS Writer service is stuck after the last cumulative update. "
        'Please restart the "SQL Server VSS Writer" service (no reboot needed) and start a '
        "manual backup; I will watch the job from here.",
        "The manual backup of {device} completed in 42 minutes and last night's scheduled job "
        "ran clean as well. I'm marking this resolved; if the writer fails again after the next "
        "SQL update, reply here and we will pick it up with the SQL team's KB in hand.",
        "Known pattern: SQL CU leaves the VSS writer in failed state. If it recurs, link to "
        "ENG-4411.",
    ),
    Issue(
        "ransomware",
        ("backup", "bdr"),
        "agent-installation",
        ((1, 4), (2, 1)),
        "URGENT: ransomware on {device}, need full restore from last clean backup",
        "We were hit by ransomware this morning. {device} ({os}) is encrypted, files renamed to "
        "*.lockbit. The server is isolated from the network. We need to restore the whole data "
        "volume from the last backup BEFORE the encryption started (we think around 03:00).\n\n"
        "Clinic operations are stopped until this is back. {contact} is on the phone and "
        "available until this is solved.",
        "{customer}, we are on it. I have confirmed the backup set for {device}: the last "
        "complete version before 03:00 is from 01:12 and its file listing looks clean "
        "(no .lockbit extensions). Please do NOT reconnect the server yet. I'm calling "
        "{contact} now to plan the restore to a clean machine.",
        "Clean VM is ready (fresh {os} install, not domain joined yet). Restore can start.",
        "Restore started from the 01:12 version to the new VM, 612 GB, estimated 3.5 hours at "
        "the current rate. I'll post progress every hour and call if anything needs a decision.",
        "Restore finished: 612 GB, 1,284,113 files, no errors; your team confirmed the patient "
        "database opens and the front desk is working again. Please change all admin passwords "
        "and keep the old server offline for forensics. Resolving; the backup policy is "
        "unchanged and tonight's backup will run from the new machine once the agent is "
        "re-registered.",
        "Restore running from the 01:12 version. Customer's IR firm is engaged; we only restore.",
    ),
    Issue(
        "appliance-down",
        ("dr", "bdr"),
        "",
        ((1, 3), (2, 2)),
        "DR appliance {device} unreachable after power outage",
        "After a power cut in the building last night the appliance {device} does not come back. "
        "Fans spin, the console shows a kernel panic during boot. Local backups and replication "
        "are stopped. Firmware {version}.\n\nContact for this: {contact}.",
        "Hi {customer}, thanks for the quick report. A kernel panic after a hard power loss is "
        "usually a damaged root file system. Could you send a photo of the console message, and "
        "tell us whether the appliance has a working iDRAC/IPMI connection so we can look at it "
        "remotely?",
        "Photo attached. IPMI is at 10.20.0.15, I've enabled remote access for your team in the "
        "portal.",
        "Thanks, I'm connected. The root volume needs a file system check; I'm running it from "
        "the rescue image now. Data volumes are on a separate array and look healthy.",
        "The file system check repaired the root volume and {device} booted normally. All "
        "local backup jobs and cloud replication resumed; replication will catch up with "
        "yesterday's changes within about 4 hours. Please consider a UPS for the appliance "
        "(§3.4: power leading up to the appliance is your side). Resolving.",
        "Root fs repaired with fsck from rescue image. Suggested UPS, see §3.4.",
    ),
    Issue(
        "failover-test",
        ("dr",),
        "",
        ((2, 2), (3, 3)),
        "Cloud failover test of {device} boots to a black screen",
        "We ran our quarterly DR test today. The cloud failover of {device} ({os}) starts, but "
        "the console stays black and the VM never answers ping. The local virtualization of the "
        "same restore point works. This is for an audit on Friday, so we need a successful test "
        "documented.",
        "Hello {customer}, thanks. I can see the failover VM in our cloud; it is stuck at the "
        "boot loader because the restore point still has the old storage controller driver "
        "set as boot-critical. I'll inject the virtio drivers into the restore point and "
        "restart the test. Does the VM need to be reachable from your office during the test?",
        "Yes please, same VPN as last quarter. The auditors want a screenshot of the login "
        "screen and of the EHR web page.",
        "Drivers injected and the VM boots to the login screen now. The site-to-site VPN "
        "tunnel is up; please try the EHR page from the office.",
        "Failover test completed: {device} booted in the cloud in 6 minutes, your team "
        "reached the EHR web page over the VPN and took the screenshots. The test VM is shut "
        "down and discarded. Resolving; the driver fix is now part of this device's restore "
        "points.",
    ),
    Issue(
        "2fa",
        ("backup", "app", "dr", "bdr"),
        "dashboard-troubleshooting",
        ((3, 3), (4, 2)),
        'Cannot log in to the Dashboard: "invalid verification code"',
        'Since this morning my Dashboard login fails after the password with "invalid '
        'verification code". I got a new phone last week and moved the authenticator app. '
        "Other admins of {company} can log in.",
        "Hi {customer}, moving an authenticator app often keeps the entry but not the secret. "
        "I have reset two-factor authentication for your user; at the next login the Dashboard "
        "will show a new QR code to scan. Please confirm that it works.",
        "That worked, I'm in. Thanks!",
        "Great. For the future: the recovery codes shown after enrolment let you in without "
        "the phone; keep them in your password manager.",
        "Login confirmed with the new device. Resolving.",
    ),
    Issue(
        "offline",
        ("backup", "bdr"),
        "dashboard-troubleshooting",
        ((3, 4), (4, 1)),
        "Dashboard shows {device} offline although the agent is running",
        'The Dashboard lists {device} as "Offline since 3 days", but on the machine the '
        "Infrascale service is running and the last backup in the local log completed "
        "yesterday. Agent {version}, {os}.",
        "Hello {customer}, the Dashboard status comes from the agent's heartbeat, which uses a "
        "different endpoint than the backup upload. Could you check whether the proxy or "
        "firewall at {company} blocks outbound HTTPS to the heartbeat host, and send the agent "
        "logs?",
        "Our firewall was updated on Monday. I've sent the logs. The heartbeat host is indeed "
        "blocked, the firewall team is adding the rule.",
        "Thanks, the logs confirm the heartbeat gets a TLS reset. Once the rule is in the "
        "device should turn green within 10 minutes.",
        "{device} reports online again and the heartbeat is regular. Resolving; the firewall "
        "requirements are in the Dashboard's network checklist if other sites need them.",
    ),
    Issue(
        "install-1603",
        ("backup", "dr", "bdr"),
        "agent-installation",
        ((3, 4), (4, 1)),
        "Agent installation fails with error 1603 on {device}",
        "Trying to install the Backup and Recovery Manager {version} on {device} ({os}). The "
        'installer rolls back at "Registering services" with MSI error 1603. Tried twice, '
        "as local administrator.",
        "Hi {customer}, error 1603 is the installer's generic failure, so we need its log. "
        "Please run the installer with `/l*v C:\\temp\\ib-install.log` and attach the file "
        "here. Is there any other backup or endpoint security software on {device}?",
        "Log attached. Yes, there is an old agent of our previous backup vendor, and "
        "Defender for Endpoint.",
        "The log shows the service registration blocked because the old vendor's filter driver "
        "still holds the snapshot provider. Please uninstall the previous backup agent "
        "completely, reboot, and run the installer again.",
        "After removing the old agent the installation went through and {device} completed "
        "its first backup. Resolving.",
    ),
    Issue(
        "slow",
        ("backup", "bdr"),
        "agent-installation",
        ((2, 2), (3, 4)),
        "Backups of {device} extremely slow since the upgrade to {version}",
        "Since we upgraded the agent on {device} to {version} the nightly backup takes 9 hours "
        "instead of 50 minutes and runs into business hours. Nothing else changed on the "
        "server ({os}).",
        "Hello {customer}, thank you. Could you send the agent logs from the last two nights? "
        "I'd like to compare the scan phase with the upload phase; a full rescan after the "
        "upgrade would explain the first night but not several.",
        "Logs sent. The job from last night also ran until 07:40.",
        "The logs show the change-tracking journal is rebuilt every night because the cache "
        "folder is excluded by your antivirus in a way that deletes it. Please exclude the "
        "cache folder from scanning (path in the KB linked in the Dashboard) and let tonight's "
        "job run.",
        "Tonight's backup of {device} took 47 minutes. The journal is kept between runs again. "
        "Resolving.",
    ),
    Issue(
        "retention",
        ("backup", "app", "bdr"),
        "dashboard-configuration",
        ((4, 1),),
        "How to keep monthly versions for 7 years (compliance)",
        "Our auditors want monthly backups kept for 7 years. Where do we set this in the "
        "Dashboard for the account {account}? Will it change the price?",
        "Hi {customer}, in the Dashboard open Backup accounts > {account} > Backup policy > "
        'Retention and add a rule "Monthly: keep 84". Note that configuring retention is your '
        "side's responsibility (§4.2.6); we are glad to check the rule once saved. Storage used "
        "by the extra versions is billed as usual; Finance can give you an estimate.",
        "Saved the rule. Can you confirm it looks right?",
        "Checked: the rule is active and the next monthly version will be kept for 84 months.",
        "Retention rule confirmed. Resolving.",
    ),
    Issue(
        "psa",
        ("backup", "app", "dr", "bdr"),
        "dashboard-configuration",
        ((3, 1), (4, 3)),
        "ConnectWise integration stopped creating tickets for failed backups",
        "Our ConnectWise Manage integration used to open a ticket for every failed backup. "
        "Since last week nothing arrives, although the Dashboard shows failed jobs for "
        "{device}.",
        'Hello {customer}, the integration log shows "401 Unauthorized" since {weekday}: the '
        "API member's keys were probably rotated in ConnectWise. Please create new keys for the "
        "integration member and enter them under Settings > Integrations > ConnectWise.",
        "Updated the keys. The test button says OK.",
        "Thanks. I triggered a test alert from {device}; please check that the ticket appears "
        "on your board.",
        "The test alert created a ticket on the service board. Resolving.",
    ),
    Issue(
        "alerts",
        ("backup", "dr", "bdr"),
        "dashboard-configuration",
        ((3, 2), (4, 2)),
        "Alert e-mails for failed backups no longer arrive",
        "We stopped getting the failure e-mails. We only noticed because {device} had not "
        "backed up for 4 days. The recipients in the Dashboard have not changed.",
        "Hi {customer}, our mail log shows the alerts were delivered but your mail server "
        'answered "550 5.7.1 rejected by policy" since the 3rd. Could you ask your mail admin '
        "to allow the sender domain in the spam policy?",
        "Mail admin has allowed the domain. Can you send a test?",
        "Test alert sent at the time of this message.",
        "Test alert received on your side. Resolving; please also check the failed backups of "
        "{device}, which are a separate issue if they continue.",
    ),
    Issue(
        "invoice",
        ("backup", "app", "dr", "bdr"),
        "billing",
        ((4, 1),),
        "Invoice {invoice} lists 14 devices, we only have 11",
        "Invoice {invoice} charges us for 14 protected devices. We decommissioned three "
        "laptops in September and removed them in the Dashboard. Please correct the invoice.",
        "Hello {customer}, thanks for flagging this. The three laptops were removed on "
        "30 September, but deleted devices are billed until the end of the month they were "
        "removed in. I'll credit the difference on the next invoice if the removal was before "
        "the cut-off; checking with our billing system now.",
        "Thanks, please let me know the amount.",
        "The removal was before the cut-off: a credit note for 3 devices has been issued and "
        "will show on your next invoice.",
        "Credit note issued. Resolving.",
    ),
    Issue(
        "billing-contact",
        ("backup", "app", "dr", "bdr"),
        "billing",
        ((4, 1),),
        "Please change our billing contact and card on file",
        "Our office manager left. Please send invoices to accounts@{domain} from now on and "
        "tell us how to update the credit card.",
        "Hi {customer}, done: invoices now go to accounts@{domain}. To change the card, use the "
        "secure link I've sent to the new billing address; we never take card numbers by "
        "ticket.",
        "Card updated through the link. Thanks.",
        "Confirmed, the new card is on file.",
        "Billing contact and card updated. Resolving.",
    ),
    Issue(
        "delete-account",
        ("backup", "app"),
        "data-deletion",
        ((4, 1),),
        'Please delete our old backup account "{company} – laptops 2021"',
        'We no longer need the backup account "{company} – laptops 2021" (the laptops were '
        "retired) and want its data deleted for GDPR reasons. Can you delete it?",
        "Hello {customer}, deleting backup data is done by your administrators (§4.2.6), so "
        "that nobody else can remove your backups. In the Dashboard: Backup accounts > "
        "{company} – laptops 2021 > Delete account. Deletion is final after a 14-day grace "
        "period. I'm happy to stay on the ticket until you have done it.",
        "Done. Can you confirm nothing is left after the 14 days?",
        "Yes: the account is scheduled for deletion and nothing is kept after the grace "
        "period ends.",
        "Customer deleted the account themselves; deletion confirmed. Resolving.",
    ),
    Issue(
        "migration",
        ("backup", "dr", "bdr"),
        "data-migration",
        ((3, 1), (4, 3)),
        "Can we use a restore to move {device} to new hardware?",
        "We are replacing {device}. Can we restore the full backup to the new server and "
        "switch over, instead of migrating by hand?",
        "Hi {customer}, moving a machine with the backup service is not something we support "
        "(§4.2.3), because drivers and licences differ between machines. What we can do is "
        'guide you to restore files and folders to the new server; the KB article "Restore to '
        'a different computer" has the steps.',
        "Understood. Is a restore of the D: drive to the new machine OK then?",
        "Yes, restoring D: as files and folders to the new server is fine.",
        "Guidance given for a files-and-folders restore; migration itself is out of scope "
        "(§4.2.3). Resolving.",
    ),
    Issue(
        "storage-full",
        ("dr", "bdr"),
        "hardware-upgrade",
        ((3, 3), (2, 1)),
        "Local storage on appliance {device} at 96%",
        "The appliance {device} warns that local storage is at 96%. Retention has not changed. "
        "What can we do before it stops taking backups?",
        "Hello {customer}, at this rate the appliance is full in about 5 days. Short term, I "
        "can reduce local retention for the file servers from 30 to 21 days, which frees about "
        "1.4 TB. Long term your data has outgrown this model; a larger appliance is a hardware "
        "upgrade (§4.2.4) and I'll ask your sales representative to contact you.",
        "Please reduce the retention as suggested. Sales can call me.",
        "Retention reduced; the clean-up job runs tonight.",
        "Storage is at 71% after the clean-up. Sales has the upgrade request. Resolving.",
    ),
    Issue(
        "os-patch",
        ("dr", "bdr"),
        "os-patching",
        ((3, 2), (4, 2)),
        "Security updates for DR appliance {device}",
        "Our vulnerability scan flags the appliance {device} (firmware {version}) for an "
        "outdated OpenSSH. Can you patch it? We'd prefer a weekend window.",
        "Hi {customer}, patching the appliance OS is ours to do (§4). The fix is in the "
        "current maintenance release; I can install it remotely. Saturday 08:00 Eastern "
        "would work for us: replication pauses for about 20 minutes. OK?",
        "Saturday 08:00 is fine.",
        "Scheduled for Saturday 08:00. You'll get a message when it's done.",
        "Maintenance release installed, OpenSSH updated, appliance healthy and replication "
        "caught up. Your rescan should come back clean. Resolving.",
    ),
    Issue(
        "m365-permissions",
        ("app",),
        "dashboard-configuration",
        ((2, 2), (3, 3)),
        'Microsoft 365 backup fails: "Insufficient privileges" after tenant change',
        "Since our IT changed the Microsoft 365 admin account, all mailbox backups for "
        '{device} fail with "Insufficient privileges to complete the operation".',
        "Hello {customer}, the backup app's consent was tied to the old admin account. Please "
        "sign in to the Dashboard with a Global Administrator and re-grant consent under "
        "Backup accounts > {account} > Connection > Re-authorize.",
        "Re-authorized with our global admin.",
        "Thanks, I've started a backup of all mailboxes to verify.",
        "All 38 mailboxes backed up successfully. Resolving.",
    ),
    Issue(
        "gworkspace",
        ("app",),
        "dashboard-configuration",
        ((3, 3), (4, 1)),
        "Shared drives missing from Google Workspace backup",
        "The backup of {device} covers user drives but none of our shared drives. Is that a "
        "setting?",
        "Hi {customer}, shared drives are a separate selection. In the Dashboard go to "
        '{account} > Backup selection and tick "Shared drives"; the next run picks them up.',
        "Ticked. Will check tomorrow.",
        "Checking tomorrow's run with you.",
        "Shared drives are in the backup now (17 drives). Resolving.",
    ),
    Issue(
        "sql-pitr",
        ("backup", "bdr"),
        "agent-installation",
        ((1, 2), (2, 3)),
        "Restore SQL database on {device} to a point before corruption",
        "Our practice-management database on {device} was corrupted by a failed update at "
        "about 14:10. We need to restore it to 14:00 today. Transaction log backups run every "
        "15 minutes. Contact: {contact}.",
        "{customer}, I see transaction log backups up to 14:15. We can restore the full backup "
        "from last night and roll the logs forward to 14:00 exactly. Please stop the "
        "application service so nothing writes to the database.",
        "Application stopped. Go ahead.",
        "Restore running: full backup restored, applying log backups now.",
        "Database restored to 14:00:00, DBCC CHECKDB clean, application started and confirmed "
        "by your staff. Resolving.",
    ),
    Issue(
        "windows-update",
        ("backup",),
        "agent-installation",
        ((3, 4),),
        "Backup of {device} fails after the latest Windows update",
        "After Patch Tuesday's update {device} ({os}) backups fail with \"Snapshot provider "
        'error". Can you also patch the OS for us?',
        "Hello {customer}, patching the operating system itself is on your side for Cloud "
        "Backup (§4.2.2), but the snapshot error is ours to look at. Please send the agent "
        "logs and the output of `vssadmin list providers`.",
        "Logs sent, the output lists two providers.",
        "A third-party snapshot provider registered by the update tool is taking precedence. "
        "Please set the agent to use the Microsoft provider (Settings > Advanced > Snapshot "
        "provider) and run the backup again.",
        "Backup of {device} completes with the Microsoft provider. Resolving.",
    ),
    Issue(
        "script",
        ("backup", "bdr"),
        "third-party-scripts",
        ((4, 1),),
        "Our pre-backup script no longer runs",
        "We have a PowerShell script that stops our line-of-business app before the backup of "
        "{device}. Since the agent update it does not run anymore.",
        "Hi {customer}, we cannot support third-party scripts (§4.2.1). What I can tell you is "
        "that {version} runs pre-backup commands under the Local System account instead of the "
        "logged-on user; if your script needs a user's rights, that would explain it.",
        "OK, that explains it. We'll change the script's account.",
        "Sounds good.",
        "Out of scope per §4.2.1; customer is adjusting their script. Resolving.",
    ),
    Issue(
        "secondary",
        ("dr", "bdr"),
        "secondary-monitoring",
        ((4, 1),),
        "Can you monitor our standby VM in the secondary site?",
        "We replicate {device} to a standby VM in our second office. Could your team monitor "
        "that VM and alert us if replication stops?",
        "Hello {customer}, monitoring replication targets is not part of our support (§4.2.5), "
        "but you can do it from the Dashboard: Monitoring > Replication > add an alert rule for "
        '"Replication lag > 2 hours" on {device}.',
        "Found it, rule added.",
        "Great, the rule is active.",
        "Customer set up their own alert rule. Resolving.",
    ),
    Issue(
        "ultrasafe",
        ("backup",),
        "dashboard-troubleshooting",
        ((2, 2), (3, 2)),
        "Lost encryption password for Ultra-safe backup of {device}",
        'Our former admin set up {device} with "Ultra-safe" encryption and nobody knows the '
        "password. We need to restore a folder. Can you reset it?",
        "Hi {customer}, I'm sorry: with Ultra-safe the key never leaves your side and we "
        "cannot reset or recover it (§4.1.2). If the agent on {device} is still logged in, it "
        "can restore without asking for the password; please check that first.",
        "The agent is still logged in, and the restore of the folder worked!",
        "Good news. Please set a new Ultra-safe password now and store it safely.",
        "Restore done through the logged-in agent; customer set a new password. Resolving.",
    ),
    Issue(
        "mac-logout",
        ("backup",),
        "agent-installation",
        ((3, 2), (4, 2)),
        "Mac backups stop when the user logs out",
        "{device} ({os}) only backs up while someone is logged in. Overnight jobs never run.",
        "Hello {customer}, on macOS the agent needs Full Disk Access for its background "
        "service, not only for the app. Please open System Settings > Privacy & Security > "
        "Full Disk Access and add the Infrascale daemon listed in our KB article.",
        "Added it. Let's see tonight.",
        "I'll check the overnight job in the morning.",
        "Overnight job on {device} ran at 01:00 with nobody logged in. Resolving.",
    ),
    Issue(
        "local-virt",
        ("dr", "bdr"),
        "",
        ((1, 1), (2, 3)),
        "Local virtualization of {device} fails: insufficient memory",
        "Our production server {device} has a failing RAID controller. We tried to start it as "
        'a virtual machine on the appliance but it fails with "insufficient memory". '
        "Contact: {contact}.",
        "{customer}, the appliance has 64 GB and {device} is configured with 96 GB. I can "
        "start the VM with 48 GB, which is enough for its normal load. Shall I go ahead?",
        "Yes, please start it.",
        "VM started with 48 GB and 8 vCPUs; it is answering on its normal IP. Please test the "
        "application.",
        "{device} runs virtualized on the appliance and the staff confirmed the application "
        "works. When the RAID controller is replaced, open a ticket to plan the fail-back. "
        "Resolving.",
    ),
    Issue(
        "version-support",
        ("backup", "dr", "bdr"),
        "dashboard-upgrades",
        ((4, 1),),
        "Is version {version} still supported?",
        "Some of our machines, including {device}, still run {version}. Is that version still "
        "supported, and what is the upgrade path?",
        "Hi {customer}, each version is supported until one year after its successor was "
        "released (§3.2). I've listed the dates for {version} in the attached note; upgrading "
        "in place from the Dashboard (Devices > Update agent) keeps all settings and history.",
        "Thanks, we'll upgrade next week.",
        "Sounds good; the update can be pushed to all devices at once from the Dashboard.",
        "Upgrade path explained. Resolving.",
    ),
    Issue(
        "onboarding",
        ("backup", "app", "dr", "bdr"),
        "implementation",
        ((4, 1),),
        "Help planning backup for our new site (12 workstations)",
        "We are opening a second location in January with 12 workstations and a small file "
        "server. Can someone walk us through setting up the backup policies before then?",
        "Hello {customer}, happy to. Implementation help is part of your support (§4.1.4). "
        "I suggest a 45-minute call; please send two or three time slots that suit you.",
        "Tuesday or Wednesday afternoon works.",
        "Booked Wednesday 14:00 Eastern; the invite is on its way.",
        "Onboarding call held, policies for the new site created together. Resolving.",
    ),
    Issue(
        "replication-stalled",
        ("dr", "bdr"),
        "",
        ((2, 4), (3, 1)),
        "Cloud replication stalled for {device} for 3 days",
        "The Dashboard shows the last cloud replication of {device} 3 days ago. Local backups "
        "are fine. Internet at the office is working.",
        "Hi {customer}, the replication queue on the appliance is blocked by one corrupt "
        "block. I can skip it and force a new full sync of that chain, which takes about a day "
        "over your line. OK to proceed?",
        "Yes, go ahead.",
        "Forced sync started, 412 GB to go at about 38 Mbit/s.",
        "Replication of {device} is current again. Resolving.",
    ),
)

OUTAGE = Issue(
    "outage",
    ("backup", "bdr"),
    "",
    ((1, 1),),
    'All cloud backups failing: "storage node unreachable"',
    'Every backup to the cloud since about 09:50 fails with "storage node unreachable '
    '(us-east-2)". Local backups are OK. Is there an outage?',
    "{customer}, yes: one of our storage clusters in us-east-2 is unavailable and our "
    "operations team is working on it. Backups will retry automatically; no data already "
    "stored is affected. Status updates are on the status page and in this ticket.",
    "Thanks. Please keep us posted, we have a compliance window tonight.",
    "Update: the storage cluster is back online; retries are succeeding. We are watching "
    "the queue.",
    "The storage cluster in us-east-2 has been stable for 2 hours and all queued backups "
    "completed. Root cause: a failed network switch during planned maintenance. An incident "
    "report follows. Resolving.",
    "Part of the us-east-2 storage incident; see the status page. No customer action needed.",
)

# Which machines an issue is about, by the tags `build.py` gives devices
# (appliance, tenant, server, workstation, windows, mac); any tag matches.
# Issues not listed are about any machine.
MACHINES: dict[str, tuple[str, ...]] = {
    "vss": ("windows",),
    "ransomware": ("server",),
    "appliance-down": ("appliance",),
    "failover-test": ("server",),
    "offline": ("server", "workstation"),
    "install-1603": ("windows",),
    "slow": ("server", "workstation"),
    "alerts": ("server", "workstation", "appliance"),
    "migration": ("server",),
    "storage-full": ("appliance",),
    "os-patch": ("appliance",),
    "m365-permissions": ("microsoft-365",),
    "gworkspace": ("google-workspace",),
    "sql-pitr": ("windows-server",),
    "windows-update": ("windows",),
    "script": ("server",),
    "secondary": ("server",),
    "ultrasafe": ("server", "workstation"),
    "mac-logout": ("mac",),
    "local-virt": ("windows-server",),
    "version-support": ("server", "workstation", "appliance"),
    "replication-stalled": ("server", "appliance"),
    "outage": ("server", "workstation"),
}

# -- what the other side says --------------------------------------------------------

PARTNER_FIRST = (
    "Hi {customer}, {partner} here. Thanks for the ticket; we're looking into it now. Could you "
    "tell us when this started and whether anything changed on {device} recently?",
    "Hello {customer}, we've picked this up. I'm checking the device in the Dashboard and will "
    "get back to you shortly.",
    "Hi {customer}, thanks. I can see the problem on our side as well. Give us an hour to "
    "check the usual suspects before we involve the vendor.",
)
PARTNER_CUSTOMER = (
    "Nothing changed that we know of. It started on {weekday}.",
    "We installed Windows updates last week, nothing else.",
    "Not that I know of. Our front desk noticed it this morning.",
)
PARTNER_RESOLVE = (
    "Hi {customer}, we found it: the backup account had hit its storage quota. We raised the "
    "quota and the backup ran through. Closing this on our side.",
    "Hello {customer}, the agent on {device} was stopped by a cleanup tool. We restarted it "
    "and excluded it from the tool; tonight's backup completed.",
    "Fixed: the scheduled task was disabled after your Windows update. It's re-enabled and the "
    "backup completed. Let us know if it happens again.",
)
PARTNER_NOTES = (
    "Checked quota, agent service and schedule: all fine. Reproduces on a second machine. "
    "Escalating to the vendor.",
    "Agent logs show an error we don't know. Collected logs; will forward to the vendor.",
    "Customer is stressed about this one. Tried the usual steps, no luck; forwarding.",
)
FORWARD_NOTES = (
    "First-level checks done (quota, service, schedule, connectivity). Logs attached on the "
    "device. Please take over.",
    "Reproducible on {device}; our standard fixes did not help. Customer contact is {customer}.",
    "Escalating: looks like a product issue, beyond what we can fix at first level.",
)
WAITING_FOR_CUSTOMER = "Waiting for the information requested from the customer."
CUSTOMER_THANKS = (
    "Thank you, that fixed it.",
    "All good on our side now, thanks for the quick help.",
    "Confirmed, working again. Please close.",
)
CUSTOMER_NUDGE = (
    "Any update on this?",
    "Hello, is someone looking at this? It's still not working.",
    "Following up: we still see the problem this morning.",
)
ENGINEER_UPDATE = (
    "Still working on this; I've asked a colleague from engineering to review the logs with "
    "me. Next update by the end of the day.",
    "Sorry for the wait. I'm reproducing the problem in our lab with the same version and "
    "will report back tomorrow morning.",
    "Quick update: we've found the cause and are testing the fix now.",
)
ENGINEER_CLOSE = "No reply for 3 business days after the fix, so closing. Reply to reopen."

INTERNAL_NOTES = (
    "Device on {version}; check version support dates before we spend time (§3.2).",
    "Similar to a ticket last month from another customer; same agent build.",
    "Asked engineering in #sustaining whether this is a known regression in {version}.",
    "Customer prefers phone updates. Called once, voicemail.",
    "Logs reviewed: no errors on our side, looks environmental.",
)

UPGRADE_REASONS = (
    "Customer reports the issue now blocks daily operations and there is no workaround.",
    "More devices affected than first reported: the whole site is without backups.",
    "Restore needed for production; business impact is higher than the ticket says.",
)
DOWNGRADE_REASONS = (
    "Workaround in place; production runs normally while we work on the root cause.",
    "Only one non-critical device affected, the others back up fine.",
    "Service restored; remaining work is the root-cause analysis.",
)
JUSTIFICATIONS = (
    "All our workstations are without backup and our compliance audit is on Friday.",
    "This now affects the server with our patient records; we cannot restore anything.",
    "Our production is impacted: staff cannot work until the restore is done.",
)
ACCEPT_REASONS = (
    "Agreed: the impact is on production and no workaround exists.",
    "Accepted after talking to the customer about the impact.",
)
DECLINE_REASONS = (
    "Backups of the other devices succeed and a workaround exists; the current severity "
    "matches §1.6.3.",
    "The audit date is understood, but production is not affected; we will still prioritise "
    "the work within the current severity.",
)
CALL_INBOUND = (
    "{customer} called for an update; walked through the current status and next steps.",
    "{customer} called: the problem came back after a reboot. Collected details on the phone.",
)
CALL_OUTBOUND = (
    "Called {contact} back on the Severity 1 line; confirmed the impact and agreed the plan.",
    "Called {customer} to go through the logs together; agreed on the next test.",
)

SAVED_REPLIES_VENDOR = (
    (
        "Request agent logs",
        "Could you send us the agent logs? In the Backup and Recovery Manager choose Help > Send "
        "logs; they reach us automatically and are linked to this ticket.",
    ),
    (
        "VSS writer in failed state",
        "This error means a VSS writer is in a failed state. Please run `vssadmin list writers` "
        "in an elevated prompt and send us the output; restarting the service that owns the "
        "failed writer usually clears it.",
    ),
    (
        "Version no longer supported (§3.2)",
        "The version on this device reached the end of its support one year after its successor "
        "was released (§3.2). Please upgrade from the Dashboard (Devices > Update agent); we "
        "continue as soon as the device runs a supported version.",
    ),
    (
        "Out of scope: data migration (§4.2.3)",
        "Using the backup service to move a machine to other hardware is not supported "
        "(§4.2.3). We can guide you through restoring files and folders to the new machine.",
    ),
    (
        "Not supported: third-party scripts (§4.2.1)",
        "We cannot support third-party scripts or installations (§4.2.1). If the issue "
        "persists without the script, we will gladly continue.",
    ),
    (
        "Billing questions go to Finance (§4.2.7)",
        "Billing questions are answered by our Finance team; I've passed this ticket to them.",
    ),
    (
        "Severity 1 needs a dedicated contact (§1.6.1)",
        "To keep this at Severity 1 we need a named contact on your side who is available to "
        "work on the issue continuously (§1.6.1). Please reply with the name and a phone "
        "number.",
    ),
    (
        "Closing after no reply",
        "We haven't heard back for 3 business days, so we are closing this ticket. Reply to it "
        "any time to reopen it.",
    ),
)
SAVED_REPLY_PRIVATE = (
    "On-call signature",
    "Best regards,\nJordan Lee\nTechnical Support Engineer, on call this weekend",
)
SAVED_REPLIES_PARTNER = (
    (
        "First-line checklist",
        "Thanks for reaching out. While we look into this, could you tell us when the problem "
        "started and whether anything changed on the machine (updates, new software, network)?",
    ),
    (
        "Escalated to the vendor",
        "We've escalated this to the vendor's support team with everything we collected. We'll "
        "stay on the ticket and keep you posted.",
    ),
    (
        "Resolved at first level",
        "This is fixed on our side. If you see the problem again, just reply to this ticket.",
    ),
)


# Escalations (§1.8): what the customer says when asking, and what the
# primary engineer plans and reports.
ESCALATION_STATEMENTS = (
    "Our DR replica has been stalled for hours and the clinic's audit is on Friday: without "
    "a current replica we fail it. We need management attention on this today.",
    "This is the third day the SQL backups crawl and nobody has told us why. We need someone "
    "senior to look at it.",
)
ESCALATION_PLAN = (
    "1. Re-seed the replica from the last consistent snapshot on a dedicated link.\n"
    "2. Watch the first two replication cycles together.\n"
    "3. Root-cause analysis of the stall with the storage team."
)
ESCALATION_UPDATE = (
    "Re-seed started at full speed on the dedicated link; 38% done, the first replication "
    "cycle should start within two hours."
)


# Remote access (§2.3): why the engineer asks.
REMOTE_PURPOSE = "Check the VSS writers and the agent's logs on {device} while the next job runs."

# Product feedback (§2.4): (author's email, product role, text, triage state, staff note).
FEEDBACK = (
    (
        "user@acme.example",
        "cloud-backup",
        "It would help to get a weekly summary mail of all our devices' backups, not one "
        "mail per job.",
        "planned",
        "A weekly digest per company is on the roadmap for the spring release.",
    ),
    (
        "tech@northwind.example",
        "disaster-recovery",
        "Let partners see every customer's appliances on one dashboard page.",
        "new",
        "",
    ),
    (
        "user@initech.example",
        "cloud-backup",
        "Please allow restoring a single mailbox item from the web console.",
        "duplicate",
        "The same as the request for item-level Microsoft 365 restores, already planned.",
    ),
    (
        "user@globex.example",
        "disaster-recovery",
        "The appliance's fan is loud in our small server cupboard.",
        "new",
        "",
    ),
)
