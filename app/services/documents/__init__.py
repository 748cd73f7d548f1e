"""Documents 政务服务 gives the applicant (受理通知书, 补正告知书, 不予许可/不予同意决定书, 办结通知, 处理决定书):
issued on a case in the step's transaction (issue.py), rendered to PDF with WeasyPrint (render.py), downloaded by
whoever may see the case, verified publicly by their code (number, title, issuer, date: nothing personal)."""
