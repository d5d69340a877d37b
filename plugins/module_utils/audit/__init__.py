# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit engine behind ``bastion.hardening.audit_facts``.

``core`` holds the result type, the read-only context the checks share (options,
command runner, cached host data) and the runner that turns any exception of a check
into status ``error``. Each other file holds the checks of one area as plain functions
``check(ctx, <paths with real defaults>)``; ``catalog`` lists them in report order.

Runs on the target's python3 (Debian 11: Python 3.9), stdlib only.
"""
