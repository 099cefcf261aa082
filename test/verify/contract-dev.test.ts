import { verifyContract } from "./contract";

verifyContract("dev", {});
