"""Caseload files for import tests (generated people)."""

from __future__ import annotations

HEADER = "case_number,country_of_asylum,origin_country,fled_countries,person_ref,relationship,given_name,family_name,sex,date_of_birth,nationality,needs"


def caseload_csv(*, bad: bool) -> bytes:
    """Three households; with ``bad``, row 3 has an impossible date and row 5 an unknown country."""
    rows = [
        "IMP-1,JOR,SYR,SYR,P1,principal,Hala,Nasser,F,1984-06-02,SYR,single-parent",
        "IMP-1,JOR,SYR,SYR,P2,child,Sami,Nasser,M," + ("1990-02-31" if bad else "2012") + ",SYR,",
        "IMP-2,LBN,SYR,SYR,P1,principal,Ziad,Khoury,M,1979,SYR,medical",
        "IMP-3," + ("XYZ" if bad else "TUR") + ",AFG,AFG,P1,principal,Farid,Ahmadi,M,~1970,AFG,older-at-risk",
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()
